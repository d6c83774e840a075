package io.docshift.cli;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The service a command talks to: a deployment named in the project file ({@link Deployments}), or, without a
 * name, the one {@code --url} / {@code DOCSHIFT_URL} gives. A {@code production} one is confirmed before any change.
 */
record Deployment(String name, String url, String key, String keyVariable, boolean production) {

    static final String URL_VARIABLE = "DOCSHIFT_URL";
    static final String KEY_VARIABLE = "DOCSHIFT_KEY";
    static final String NAME_VARIABLE = "DOCSHIFT_DEPLOYMENT";
    static final String DEFAULT_URL = "http://localhost:8080";

    /**
     * The deployment the options name: {@code --deployment} (else {@code DOCSHIFT_DEPLOYMENT}) from the project file,
     * its key from the variable it names unless {@code --key} is given; without one, {@code --url} and {@code --key}
     * or their variables. A name and a URL together are refused: nobody should have to guess which one wins.
     */
    static Deployment resolve(String name, String url, String key, Map<String, String> env, Supplier<Deployments> project) {
        if (name == null || name.isBlank()) {
            return new Deployment(null, first(url, env.get(URL_VARIABLE), DEFAULT_URL), first(key, env.get(KEY_VARIABLE), null), KEY_VARIABLE, false);
        }
        if (url != null) {
            throw new Failures.UsageFailure("both --url and the deployment " + name + " name a service: pass one of them");
        }
        Deployments.Entry entry = project.get().named(name);
        String variable = entry.keyVariable();
        return new Deployment(name, entry.url(), first(key, variable == null ? null : env.get(variable), null), variable, entry.production());
    }

    /** How a command names its target before it changes something. */
    String describe() {
        return name == null ? url : "deployment " + name + " (" + url + (production ? ", production" : "") + ")";
    }

    private static String first(String a, String b, String fallback) {
        return a != null && !a.isBlank() ? a : b != null && !b.isBlank() ? b : fallback;
    }
}
