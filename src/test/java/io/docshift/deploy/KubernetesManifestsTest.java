package io.docshift.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.docshift.cli.Docshift;
import io.docshift.coordination.CoordinationConfig;
import io.docshift.document.DocumentsConfig;
import io.docshift.migration.MigrationsConfig;
import io.docshift.schema.SchemaConfig;
import io.docshift.support.Tools;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.config.ConfigMapping;
import org.junit.jupiter.params.ParameterizedTest;
import picocli.CommandLine;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static io.docshift.support.Management.management;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Renders each kustomize overlay with {@code kubectl kustomize} and checks the objects against the application
 * itself: probe paths answer on the management port, the ports are the app's, every environment variable is a key the app reads, the
 * mounted files are where the app looks. A manifest that drifts from the code fails the build.
 */
@QuarkusTest
class KubernetesManifestsTest {

    private static final YAMLMapper YAML = new YAMLMapper();
    /** Variables read by the JVM or the image, not by Docshift's configuration. */
    private static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS");

    @org.junit.jupiter.api.extension.RegisterExtension
    static final org.junit.jupiter.api.extension.ExecutionCondition TOOLS = Tools.check("KubernetesManifestsTest",
            new Tools.Tool("kubectl", "kubernetes-client"));

    @ParameterizedTest(name = "overlay {0}")
    @ValueSource(strings = {"dev", "prod", "ha", "citus"})
    void theRenderedOverlayMatchesTheApplication(String overlay) throws Exception {
        List<JsonNode> objects = render(overlay);
        JsonNode deployment = only(objects, "Deployment");
        JsonNode spec = deployment.path("spec");
        assertEquals(3, spec.path("replicas").asInt());
        assertEquals("RollingUpdate", spec.path("strategy").path("type").asText());
        assertEquals(1, spec.path("strategy").path("rollingUpdate").path("maxSurge").asInt());
        assertEquals(0, spec.path("strategy").path("rollingUpdate").path("maxUnavailable").asInt());

        JsonNode pod = spec.path("template").path("spec");
        JsonNode container = pod.path("containers").get(0);
        assertEquals(Integer.parseInt(applicationProperties().getProperty("quarkus.http.port")), containerPort(container, "http"), "the API's port is the app's");
        int management = containerPort(container, "management");
        assertEquals(Integer.parseInt(applicationProperties().getProperty("quarkus.management.port")), management, "the management port is the app's");

        assertProbe(container, "startupProbe", "/q/health/started");
        assertProbe(container, "readinessProbe", "/q/health/ready");
        assertProbe(container, "livenessProbe", "/q/health/live");
        // a long migration must never get a pod killed: liveness tolerates a minute of silence
        JsonNode liveness = container.path("livenessProbe");
        assertTrue(liveness.path("periodSeconds").asInt() * liveness.path("failureThreshold").asInt() >= 60);

        int preStop = Integer.parseInt(container.path("lifecycle").path("preStop").path("exec").path("command").get(1).asText());
        assertTrue(pod.path("terminationGracePeriodSeconds").asInt() > preStop + 30,
                "the grace period covers the preStop pause and a batch drain with room to spare");

        Set<String> known = configKeysAsEnvironmentVariables();
        for (JsonNode env : container.path("env")) {
            String name = env.path("name").asText();
            assertTrue(known.contains(name) || JVM_VARIABLES.contains(name), name + " is not a configuration key Docshift reads");
        }
        boolean apiKeys = false;
        for (JsonNode source : container.path("envFrom")) {
            if (source.has("secretRef")) {
                apiKeys |= source.path("secretRef").path("name").asText().startsWith("docshift-api-keys");
                continue;
            }
            String map = source.path("configMapRef").path("name").asText();
            JsonNode config = objects.stream().filter(o -> o.path("kind").asText().equals("ConfigMap") && o.path("metadata").path("name").asText().equals(map))
                    .findFirst().orElseThrow(() -> new AssertionError("no ConfigMap " + map));
            config.path("data").fieldNames().forEachRemaining(name ->
                    assertTrue(known.contains(name), name + " (ConfigMap " + map + ") is not a configuration key Docshift reads"));
        }
        assertTrue(apiKeys, "API keys come from the Secret docshift-api-keys (access control is on in prod)");
        assertEquals("metadata.name", env(container, "DOCSHIFT_WORKER_ID").path("valueFrom").path("fieldRef").path("fieldPath").asText());

        String schemaFile = env(container, "DOCSHIFT_SCHEMA_FILE").path("value").asText();
        String migrationsDir = env(container, "DOCSHIFT_MIGRATIONS_DIR").path("value").asText();
        JsonNode schemaMap = mountedConfigMap(objects, pod, container, Path.of(schemaFile).getParent().toString());
        assertTrue(schemaMap.path("data").has(Path.of(schemaFile).getFileName().toString()), "the schema file is in its ConfigMap");
        JsonNode migrationsMap = mountedConfigMap(objects, pod, container, migrationsDir);
        migrationsMap.path("data").fieldNames().forEachRemaining(f -> assertTrue(f.endsWith(".json"), f));

        JsonNode security = container.path("securityContext");
        assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean());
        assertTrue(security.path("readOnlyRootFilesystem").asBoolean());
        assertFalse(security.path("allowPrivilegeEscalation").asBoolean(true));
        assertEquals("ALL", security.path("capabilities").path("drop").get(0).asText());
        assertNotNull(container.path("resources").path("limits").get("memory"));
        assertNotNull(container.path("resources").path("requests").get("cpu"));

        assertEquals("/q/metrics", spec.path("template").path("metadata").path("annotations").path("prometheus.io/path").asText());
        assertEquals(management, spec.path("template").path("metadata").path("annotations").path("prometheus.io/port").asInt(), "metrics are scraped on the management port");
        management().get("/q/metrics").then().statusCode(200);
        assertEquals(2, only(objects, "PodDisruptionBudget").path("spec").path("minAvailable").asInt());
        assertTrue(only(objects, "HorizontalPodAutoscaler").path("spec").path("minReplicas").asInt() >= 3);
        JsonNode service = objects.stream().filter(o -> o.path("kind").asText().equals("Service") && o.path("metadata").path("name").asText().equals("docshift"))
                .findFirst().orElseThrow(() -> new AssertionError("no Service docshift"));
        assertEquals("docshift", service.path("spec").path("selector").path("app").asText());
        assertEquals("http", service.path("spec").path("ports").get(0).path("targetPort").asText());
        assertEquals(1, service.path("spec").path("ports").size(), "the management port stays out of the Service");
        assertTrue(objects.stream().anyMatch(o -> o.path("kind").asText().equals("NetworkPolicy")));

        assertWithinTheConnectionBudget(objects, deployment, overlay);
        assertThePreUpgradeJobDeploysWithTheImagesCommandLine(objects, deployment, overlay);

        if (overlay.equals("dev")) {
            JsonNode postgres = only(objects, "StatefulSet");
            assertFalse(postgres.path("spec").path("volumeClaimTemplates").isEmpty(), "dev PostgreSQL keeps its data in a PVC");
            assertTrue(objects.stream().anyMatch(o -> o.path("kind").asText().equals("Secret")));
        } else {
            assertTrue(objects.stream().noneMatch(o -> o.path("kind").asText().equals("Secret")), overlay + " takes its database Secret from outside");
        }
        if (overlay.equals("ha")) {
            JsonNode cluster = only(objects, "Cluster");
            assertEquals("postgresql.cnpg.io/v1", cluster.path("apiVersion").asText());
            assertEquals(3, cluster.path("spec").path("instances").asInt());
            assertTrue(cluster.path("spec").path("minSyncReplicas").asInt() >= 1, "a commit waits for a synchronous standby");
            String name = cluster.path("metadata").path("name").asText();
            String url = env(container, "QUARKUS_DATASOURCE_JDBC_URL").path("value").asText();
            assertTrue(url.startsWith("jdbc:postgresql://" + name + "-rw:5432/") && url.contains("targetServerType=primary"),
                    "the JDBC URL names the primary's Service and refuses a demoted server: " + url);
            for (String key : List.of("QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD")) {
                assertEquals(name + "-app", env(container, key).path("valueFrom").path("secretKeyRef").path("name").asText(),
                        key + " comes from the Secret the operator creates");
            }
        }
        if (overlay.equals("citus")) {
            JsonNode cluster = only(objects, "SGShardedCluster");
            assertEquals("stackgres.io/v1alpha1", cluster.path("apiVersion").asText());
            assertEquals("citus", cluster.path("spec").path("type").asText());
            assertTrue(cluster.path("spec").path("shards").path("clusters").asInt() >= 2, "documents spread over two workers at least");
            assertEquals("15", cluster.path("spec").path("postgres").path("version").asText(), "the PostgreSQL the tests run Citus on");
            String name = cluster.path("metadata").path("name").asText();
            String database = cluster.path("spec").path("database").asText();
            assertEquals("jdbc:postgresql://" + name + ":5432/" + database, env(container, "QUARKUS_DATASOURCE_JDBC_URL").path("value").asText(),
                    "the pods talk to the coordinator's primary only, in the database Citus shards");
            assertEquals("citus", env(container, "DOCSHIFT_STORAGE_DISTRIBUTION").path("value").asText());
            for (String key : List.of("QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD")) {
                assertEquals(name, env(container, key).path("valueFrom").path("secretKeyRef").path("name").asText(),
                        key + " comes from the Secret the operator creates");
            }
        }
    }

    /**
     * prod and ha run {@code docshift deploy} as a pre-upgrade Job (Argo CD PreSync, Helm pre-upgrade): its command is
     * one the image's command line parses, its variables are ones the command line reads, it reaches the Service
     * the pods are behind, and it deploys the very schema and migrations the pods mount. dev has no Job: there,
     * {@code docshift dev} does it.
     */
    private static void assertThePreUpgradeJobDeploysWithTheImagesCommandLine(List<JsonNode> objects, JsonNode deployment, String overlay) throws IOException {
        List<JsonNode> jobs = objects.stream().filter(o -> o.path("kind").asText().equals("Job")).toList();
        if (overlay.equals("dev")) {
            assertTrue(jobs.isEmpty(), "dev deploys with docshift dev");
            return;
        }
        assertEquals(1, jobs.size(), "one Job");
        JsonNode job = jobs.get(0);
        JsonNode annotations = job.path("metadata").path("annotations");
        assertEquals("PreSync", annotations.path("argocd.argoproj.io/hook").asText());
        assertTrue(annotations.path("helm.sh/hook").asText().contains("pre-upgrade"));
        JsonNode pod = job.path("spec").path("template").path("spec");
        JsonNode container = pod.path("containers").get(0);
        JsonNode app = deployment.path("spec").path("template").path("spec").path("containers").get(0);
        assertEquals(app.path("image").asText(), container.path("image").asText(), "the Job runs the release's own image");

        List<String> command = new ArrayList<>();
        container.path("command").forEach(c -> command.add(c.asText()));
        assertEquals("docshift", command.get(0));
        assertTrue(Files.readString(Path.of("docker", "Dockerfile.jvm")).contains(" /usr/local/bin/docshift"), "the image puts docshift on the PATH");
        CommandLine.ParseResult parsed = new CommandLine(new Docshift()).parseArgs(command.subList(1, command.size()).toArray(String[]::new));
        assertEquals("deploy", parsed.subcommand().commandSpec().name(), "the command exists: " + command);
        assertTrue(parsed.subcommand().hasMatchedOption("--yes"), "a Job has no terminal to type a production deployment's name in");

        for (JsonNode env : container.path("env")) {
            String name = env.path("name").asText();
            assertTrue(Docshift.ENVIRONMENT.contains(name), name + " is not a variable the docshift command line reads");
        }
        URI url = URI.create(env(container, "DOCSHIFT_URL").path("value").asText());
        JsonNode service = objects.stream().filter(o -> o.path("kind").asText().equals("Service") && o.path("metadata").path("name").asText().equals(url.getHost()))
                .findFirst().orElseThrow(() -> new AssertionError("DOCSHIFT_URL names no Service: " + url));
        assertEquals(url.getPort() == -1 ? 80 : url.getPort(), service.path("spec").path("ports").get(0).path("port").asInt(), "the Service's port");
        assertEquals("docshift-api-keys", env(container, "DOCSHIFT_KEY").path("valueFrom").path("secretKeyRef").path("name").asText(),
                "the deploy key is one of the service's own API keys");
        assertFalse("docshift".equals(job.path("spec").path("template").path("metadata").path("labels").path("app").asText()),
                "the pods' egress policy (database and DNS only) must not select the Job, which talks to the Service");

        Path schema = Path.of(command.get(command.indexOf("--schema") + 1));
        String migrations = command.get(command.indexOf("--migrations") + 1);
        JsonNode appPod = deployment.path("spec").path("template").path("spec");
        assertEquals(mountedConfigMap(objects, appPod, app, env(app, "DOCSHIFT_SCHEMA_FILE").path("value").asText().replaceAll("/[^/]*$", "")),
                mountedConfigMap(objects, pod, container, schema.getParent().toString()), "the schema the pods mount");
        assertTrue(mountedConfigMap(objects, pod, container, schema.getParent().toString()).path("data").has(schema.getFileName().toString()));
        assertEquals(mountedConfigMap(objects, appPod, app, env(app, "DOCSHIFT_MIGRATIONS_DIR").path("value").asText()),
                mountedConfigMap(objects, pod, container, migrations), "the migrations the pods mount");
    }

    /**
     * Every pod the HPA may run, plus the rolling update's surge, with its two pools full and its LISTEN
     * connection, fits in PostgreSQL's max_connections minus its reserved slots (the dev overlay's PostgreSQL
     * sets both; PostgreSQL's defaults, 100 and 3, otherwise).
     */
    private static void assertWithinTheConnectionBudget(List<JsonNode> objects, JsonNode deployment, String overlay) throws Exception {
        Map<String, String> settings = new HashMap<>();
        objects.stream().filter(o -> o.path("kind").asText().equals("ConfigMap") && o.path("metadata").path("name").asText().startsWith("docshift-config"))
                .forEach(m -> m.path("data").fields().forEachRemaining(e -> settings.put(e.getKey(), e.getValue().asText())));
        Properties app = applicationProperties();
        int requests = Integer.parseInt(settings.getOrDefault("QUARKUS_DATASOURCE_JDBC_MAX_SIZE", app.getProperty("quarkus.datasource.jdbc.max-size")));
        int background = Integer.parseInt(settings.getOrDefault("QUARKUS_DATASOURCE_BACKGROUND_JDBC_MAX_SIZE",
                app.getProperty("quarkus.datasource.background.jdbc.max-size")));
        int pods = only(objects, "HorizontalPodAutoscaler").path("spec").path("maxReplicas").asInt()
                + deployment.path("spec").path("strategy").path("rollingUpdate").path("maxSurge").asInt();
        int maxConnections = 100;
        int reserved = 3;
        for (JsonNode o : objects) {
            JsonNode parameters = o.path("spec").path("postgresql").path("parameters");
            if (o.path("kind").asText().equals("Cluster") && parameters.has("max_connections")) { // CloudNativePG
                maxConnections = parameters.path("max_connections").asInt();
                reserved = parameters.path("superuser_reserved_connections").asInt(reserved);
            }
            if (o.path("kind").asText().equals("StatefulSet")) {
                List<String> args = new ArrayList<>();
                o.path("spec").path("template").path("spec").path("containers").get(0).path("args").forEach(a -> args.add(a.asText()));
                for (String a : args) {
                    if (a.startsWith("max_connections=")) {
                        maxConnections = Integer.parseInt(a.substring("max_connections=".length()));
                    } else if (a.startsWith("superuser_reserved_connections=")) {
                        reserved = Integer.parseInt(a.substring("superuser_reserved_connections=".length()));
                    }
                }
            }
        }
        int needed = pods * (requests + background + 1);
        assertTrue(needed <= maxConnections - reserved, overlay + ": " + pods + " pods x (" + requests + " + " + background + " + 1) = " + needed
                + " connections, above PostgreSQL's " + maxConnections + " - " + reserved + " reserved");
    }

    private static void assertProbe(JsonNode container, String probe, String path) {
        JsonNode get = container.path(probe).path("httpGet");
        assertEquals(path, get.path("path").asText(), probe);
        assertEquals("management", get.path("port").asText(), probe + " asks the management interface, which request traffic cannot starve");
        management().get(path).then().statusCode(200);
    }

    private static int containerPort(JsonNode container, String name) {
        for (JsonNode p : container.path("ports")) {
            if (p.path("name").asText().equals(name)) {
                return p.path("containerPort").asInt();
            }
        }
        throw new AssertionError("no container port named " + name);
    }

    private static JsonNode env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals(name)) {
                return e;
            }
        }
        throw new AssertionError("no environment variable " + name);
    }

    private static JsonNode mountedConfigMap(List<JsonNode> objects, JsonNode pod, JsonNode container, String mountPath) {
        String volume = null;
        for (JsonNode m : container.path("volumeMounts")) {
            if (m.path("mountPath").asText().equals(mountPath)) {
                volume = m.path("name").asText();
            }
        }
        assertNotNull(volume, "something is mounted at " + mountPath);
        for (JsonNode v : pod.path("volumes")) {
            if (v.path("name").asText().equals(volume)) {
                String map = v.path("configMap").path("name").asText();
                return objects.stream().filter(o -> o.path("kind").asText().equals("ConfigMap") && o.path("metadata").path("name").asText().equals(map))
                        .findFirst().orElseThrow(() -> new AssertionError("no ConfigMap " + map));
            }
        }
        throw new AssertionError("no volume " + volume);
    }

    private static JsonNode only(List<JsonNode> objects, String kind) {
        List<JsonNode> found = objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
        assertEquals(1, found.size(), "one " + kind);
        return found.get(0);
    }

    private static List<JsonNode> render(String overlay) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kubectl", "kustomize", Path.of("k8s", "overlays", overlay).toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<JsonNode> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(p.getInputStream())) {
            while (it.hasNext()) {
                JsonNode o = it.next();
                if (o != null && !o.isEmpty()) {
                    objects.add(o);
                }
            }
        }
        assertEquals(0, p.waitFor(), "kubectl kustomize k8s/overlays/" + overlay);
        return objects;
    }

    private static Properties applicationProperties() throws IOException {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("src", "main", "resources", "application.properties"))) {
            props.load(in);
        }
        return props;
    }

    /** Every key Docshift reads, written as an environment variable (dots and dashes as underscores). */
    private static Set<String> configKeysAsEnvironmentVariables() throws IOException {
        Set<String> keys = new HashSet<>(applicationProperties().stringPropertyNames());
        keys.add("docshift.worker-id");
        keys.add("quarkus.datasource.jdbc.url"); // never in application.properties: always from outside (DatasourceUrlSource)
        for (Class<?> mapping : List.of(DocumentsConfig.class, SchemaConfig.class, MigrationsConfig.class, CoordinationConfig.class,
                io.docshift.db.StorageConfig.class)) {
            String prefix = mapping.getAnnotation(ConfigMapping.class).prefix();
            for (Method m : mapping.getDeclaredMethods()) {
                keys.add(prefix + "." + m.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase());
            }
        }
        Set<String> env = new HashSet<>();
        for (String k : keys) {
            env.add(k.replaceAll("^%[a-z]+\\.", "").replaceAll("[^A-Za-z0-9]", "_").toUpperCase());
        }
        return env;
    }
}
