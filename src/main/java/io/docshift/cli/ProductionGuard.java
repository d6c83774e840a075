package io.docshift.cli;

/**
 * A deployment marked {@code production: true} is changed only when a person typed its name in a terminal (a
 * {@code y} typed out of habit is not enough, and neither is a {@code --yes} typed out of habit), or, where no
 * terminal is, when {@code --yes} was given: a CI job or a Kubernetes Job says so once, in its definition.
 */
final class ProductionGuard {

    private ProductionGuard() {
    }

    /** Whether the change may go on; outside a terminal without {@code --yes}, a usage failure (exit 2). */
    static boolean confirmed(Term term, Deployment deployment, boolean yes) {
        if (!deployment.production()) {
            return true;
        }
        if (!Prompt.possible(term) && yes) {
            return true;
        }
        String typed = Prompt.line(term, "This changes the production deployment " + deployment.name() + ". Type its name to go on:",
                deployment.name() + " is a production deployment and this is not a terminal, so nobody can type its name: pass --yes to go on");
        if (typed != null && typed.trim().equals(deployment.name())) {
            return true;
        }
        term.line("Nothing done: the name typed was not " + deployment.name() + ".");
        return false;
    }
}
