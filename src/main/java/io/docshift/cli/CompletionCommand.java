package io.docshift.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code docshift completion bash|zsh}: a completion script for the shell. */
@Command(name = "completion", mixinStandardHelpOptions = true, description = "Print a shell completion script.",
        footerHeading = "%nExamples:%n", footer = {"  source <(docshift completion bash)", "  docshift completion zsh > \"${fpath[1]}/_docshift\""})
final class CompletionCommand implements Callable<Integer> {

    @Parameters(paramLabel = "SHELL", description = "bash or zsh")
    String shell;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (!shell.equals("bash") && !shell.equals("zsh")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "SHELL is bash or zsh, not '" + shell + "'");
        }
        String script = AutoComplete.bash("docshift", spec.root().commandLine());
        if (shell.equals("zsh")) {
            // picocli's script runs under zsh through its bash-completion emulation
            script = "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n" + script;
        }
        System.out.print(script);
        return Failures.DONE;
    }
}
