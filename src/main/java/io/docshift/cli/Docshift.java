package io.docshift.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.util.Set;

/**
 * {@code docshift}: the seed's workflow from a terminal, against a running Docshift over its REST API (never
 * the database). It starts without Quarkus and needs no database settings.
 */
@Command(name = "docshift", mixinStandardHelpOptions = true, versionProvider = Docshift.Version.class,
        description = "Schemas, migrations and documents of a Docshift service, from the command line.",
        subcommands = {DevCommand.class, DeployCommand.class, PlanCommand.class, RehearseCommand.class, PushCommand.class, SchemaCommand.class, RunCommand.class, StatusCommand.class,
                LogCommand.class, RunActionCommand.Cancel.class, RunActionCommand.Resume.class, RunActionCommand.Rollback.class,
                TransitionCommand.class, DataCommand.class, ExportCommand.class, ImportCommand.class, DashboardCommand.class,
                CompletionCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {"  docshift dev                          # plan, ask, push and follow on every change of docshift/schema.json",
                "  docshift deploy --deployment prod --yes   # in CI: register, plan, push, follow; never asks",
                "  docshift run backfillCustomerStatus --watch", "  docshift status --url https://docshift.internal", "",
                "Exit codes:", "  0  done", "  1  the operation failed (a run or transition failed, the service erred)", "  2  usage (a wrong option or argument)",
                "  3  refused by the service (its problem is printed)", "  4  the service is unreachable or unavailable (following a run or transition waits out a restart first)",
                "", "Environment: DOCSHIFT_URL, DOCSHIFT_KEY, DOCSHIFT_DEPLOYMENT, NO_COLOR."})
public class Docshift implements Runnable {

    /** The environment variables the command line reads (the launcher reads DOCSHIFT_JAVA and DOCSHIFT_JAVA_OPTS). */
    public static final Set<String> ENVIRONMENT = Set.of(Deployment.URL_VARIABLE, Deployment.KEY_VARIABLE, Deployment.NAME_VARIABLE, Term.NO_COLOR,
            "DOCSHIFT_JAVA", "DOCSHIFT_JAVA_OPTS");

    @Option(names = "--url", scope = ScopeType.INHERIT, description = "The Docshift service (default: DOCSHIFT_URL, else " + Deployment.DEFAULT_URL + ").")
    String url;

    @Option(names = "--key", scope = ScopeType.INHERIT,
            description = "An API key, sent as a bearer token (default: the variable the deployment's key-env names, else DOCSHIFT_KEY).")
    String key;

    @Option(names = "--deployment", paramLabel = "NAME", scope = ScopeType.INHERIT, defaultValue = "${env:DOCSHIFT_DEPLOYMENT}",
            description = "A deployment named in docshift.yaml or .docshift/deployments.yaml: its URL, and its key from the variable it names"
                    + " (default: DOCSHIFT_DEPLOYMENT). One marked production asks for its name typed before a change (--yes outside a terminal).")
    String deployment;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print machine-readable JSON (one document, or JSON lines), never tables or colours.")
    boolean json;

    @Option(names = "--no-color", scope = ScopeType.INHERIT, description = "No colours (as NO_COLOR does).")
    boolean noColor;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Name a command; docshift --help lists them.");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns its exit code. */
    static int execute(String... args) {
        CommandLine cli = new CommandLine(new Docshift());
        cli.setExecutionExceptionHandler(new Failures());
        return cli.execute(args);
    }

    /** The version this jar was built as. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Docshift.class.getPackage().getImplementationVersion();
            return new String[]{"docshift " + (v == null ? "(development build)" : v)};
        }
    }
}
