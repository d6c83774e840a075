package io.docshift.cli;

import picocli.CommandLine.Command;

import java.awt.Desktop;
import java.awt.GraphicsEnvironment;
import java.net.URI;

/** {@code docshift dashboard}, as {@code npx convex dashboard}: the dashboard's address, opened on a desktop. */
@Command(name = "dashboard", mixinStandardHelpOptions = true, description = "Print the dashboard's address (and open it on a desktop).",
        footerHeading = "%nExamples:%n", footer = "  docshift dashboard --url https://docshift.internal")
final class DashboardCommand extends Action {

    @Override
    int run() {
        URI address = api().base().resolve("dashboard");
        System.out.println(address);
        if (term().terminal() && !GraphicsEnvironment.isHeadless() && Desktop.isDesktopSupported()
                && Desktop.getDesktop().isSupported(Desktop.Action.BROWSE)) {
            try {
                Desktop.getDesktop().browse(address);
            } catch (Exception e) {
                // no browser to open it with: the address is printed
            }
        }
        return Failures.DONE;
    }
}
