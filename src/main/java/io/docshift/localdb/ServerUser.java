package io.docshift.localdb;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The user a {@link LocalPostgres} runs as. PostgreSQL will not run as root: a root JVM runs it as {@code postgres}
 * where that user exists (a machine with PostgreSQL's packages), else as {@code nobody}. {@code setpriv} execs the
 * command itself, so the process started is the server's, not a wrapper's.
 */
public final class ServerUser {

    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static String user;
    private static String group;

    private ServerUser() {
    }

    /** The user's name: {@code postgres} or {@code nobody} (meaningful only when the JVM is root). */
    public static synchronized String name() {
        resolve();
        return user;
    }

    /** The command as the server's user. */
    public static synchronized List<String> command(List<String> command) {
        List<String> c = new ArrayList<>();
        if (ROOT) {
            resolve();
            c.addAll(List.of("setpriv", "--reuid=" + user, "--regid=" + group, "--init-groups", "--"));
        }
        c.addAll(command);
        return c;
    }

    /** Gives {@code dir} and everything in it to the server's user (a no-op unless root). */
    static synchronized void own(Path dir) throws IOException, InterruptedException {
        if (ROOT) {
            resolve();
            int exit = new ProcessBuilder("chown", "-R", user + ":" + group, dir.toString()).inheritIO().start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException("chown -R " + user + " " + dir + " exited with " + exit);
            }
        }
    }

    private static void resolve() {
        if (user != null) {
            return;
        }
        for (String candidate : new String[]{"postgres", "nobody"}) {
            String gid = output("id", "-g", candidate);
            if (gid != null) {
                user = candidate;
                group = gid;
                return;
            }
        }
        throw new IllegalStateException("PostgreSQL cannot run as root, and this machine has neither a postgres nor a nobody user to run it as");
    }

    private static String output(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
