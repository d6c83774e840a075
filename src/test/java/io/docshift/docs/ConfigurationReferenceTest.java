package io.docshift.docs;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/reference/configuration.md against the code. The rules:
 * <ul>
 * <li>Docshift's keys ({@code docshift.*}) are those of every {@code @ConfigMapping} interface in src/main (found by
 * grepping the sources, read by reflection: {@code @WithName}, {@code @WithParentName}, nested groups, maps of groups
 * as {@code <name>}), those injected with {@code @ConfigProperty(name = "docshift...")}, and those a config source
 * reads with {@code getValue("docshift...")}. Every one is documented, every documented one exists.</li>
 * <li>A key's default is application.properties' value without a profile when it sets one, else the
 * {@code @WithDefault} (an expression {@code ${other:fallback}} counts as its fallback) or {@code defaultValue}, else
 * (for a config source's key) application.properties' value in any profile. The page's default is the first code
 * span of its Default cell, or none when the cell starts with "none" or "unset"; it must be that default: equal as a
 * duration, a memory size or a number when both sides read as one, else as text.</li>
 * <li>Quarkus's keys ({@code quarkus.*}) the page lists must have the page's default wherever application.properties
 * sets them without a profile; the others are Quarkus's own defaults and are not checked.</li>
 * </ul>
 * The page's table has one key per row, in a code span: {@code | `key` | default | meaning |}.
 */
class ConfigurationReferenceTest {

    static final Path PAGE = Path.of("docs/reference/configuration.md");
    static final Path SOURCES = Path.of("src/main/java");
    static final Path PROPERTIES = Path.of("src/main/resources/application.properties");
    static final Pattern ROW = Pattern.compile("^\\|\\s*`([^`]+)`\\s*\\|([^|]*)\\|");
    static final Pattern CODE = Pattern.compile("`([^`]*)`");
    static final Pattern CONFIG_PROPERTY = Pattern.compile(
            "@ConfigProperty\\(\\s*name\\s*=\\s*\"(docshift\\.[^\"]+)\"(?:\\s*,\\s*defaultValue\\s*=\\s*\"([^\"]*)\")?");
    static final Pattern SOURCE_READ = Pattern.compile("getValue\\(\"(docshift\\.[^\"]+)\"\\)");
    static final Pattern EXPRESSION = Pattern.compile("^\\$\\{[^:}]+:([^}]*)}$");
    /** A documented key without a default. */
    static final String NONE = "(none)";

    @Test
    void everyKeyOfTheCodeIsDocumentedWithItsDefaultAndEveryDocumentedKeyExists() throws Exception {
        Map<String, String> documented = documented();
        Properties properties = properties();
        Map<String, String> code = codeKeys(properties);
        assertTrue(code.size() > 25 && code.containsKey("docshift.migrations.plan-sample") && code.containsKey("docshift.auth.keys.<name>.secret"),
                "the keys of the code are found: " + code.keySet());

        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> e : code.entrySet()) {
            if (!documented.containsKey(e.getKey())) {
                problems.add(e.getKey() + " (default " + e.getValue() + ") is not documented");
            } else if (!same(e.getValue(), documented.get(e.getKey()))) {
                problems.add(e.getKey() + ": the page says " + documented.get(e.getKey()) + ", the code " + e.getValue());
            }
        }
        for (Map.Entry<String, String> e : documented.entrySet()) {
            String key = e.getKey();
            if (key.startsWith("docshift.") && !code.containsKey(key)) {
                problems.add(key + " is documented but the code reads no such key");
            } else if (key.startsWith("quarkus.") && properties.getProperty(key) != null
                    && !same(properties.getProperty(key), e.getValue())) {
                problems.add(key + ": the page says " + e.getValue() + ", application.properties " + properties.getProperty(key));
            } else if (!key.startsWith("docshift.") && !key.startsWith("quarkus.")) {
                problems.add(key + " is neither Docshift's nor Quarkus's");
            }
        }
        assertEquals(List.of(), problems, problems.size() + " difference(s) between " + PAGE + " and the code:\n" + String.join("\n", problems));
    }

    @Test
    void mappingKeysAreReadAsSmallRyeNamesThem() {
        Map<String, String> keys = new TreeMap<>();
        mappingKeys("docshift.migrations", io.docshift.migration.MigrationsConfig.class, keys);
        assertEquals("250ms", keys.get("docshift.migrations.batch-budget"));
        assertEquals(NONE, keys.get("docshift.migrations.dir"));
        Map<String, String> auth = new TreeMap<>();
        mappingKeys("docshift.auth", io.docshift.auth.AuthConfig.class, auth);
        assertEquals(Map.of("docshift.auth.enabled", "false", "docshift.auth.keys.<name>.secret", NONE, "docshift.auth.keys.<name>.scopes", "read"), auth);
        assertTrue(same("2S", "2s") && same("7d", "PT168H") && same("64M", "67108864") && same("1.0", "1") && !same("5s", "15s"));
    }

    /** Key to default (or NONE), as the page has them. */
    static Map<String, String> documented() throws IOException {
        Map<String, String> keys = new LinkedHashMap<>();
        List<String> duplicates = new ArrayList<>();
        for (String line : Files.readAllLines(PAGE)) {
            Matcher m = ROW.matcher(line);
            if (!m.find() || m.group(1).equals("Key")) {
                continue;
            }
            String cell = m.group(2).strip();
            String value;
            if (cell.startsWith("none") || cell.startsWith("unset")) {
                value = NONE;
            } else {
                Matcher c = CODE.matcher(cell);
                value = c.find() ? c.group(1) : cell;
            }
            if (keys.put(m.group(1), value) != null) {
                duplicates.add(m.group(1));
            }
        }
        assertEquals(List.of(), duplicates, "each key is documented once");
        assertTrue(keys.size() > 25, "the page's table is read: " + keys);
        return keys;
    }

    /** Every key of the code, with its effective default (or NONE). */
    static Map<String, String> codeKeys(Properties properties) throws Exception {
        Map<String, String> keys = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(SOURCES)) {
            files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        int mappings = 0;
        for (Path file : files) {
            String source = Files.readString(file);
            if (source.contains("@ConfigMapping(")) {
                String name = SOURCES.relativize(file).toString().replace('/', '.').replaceAll("\\.java$", "");
                Class<?> type = Class.forName(name, false, ConfigurationReferenceTest.class.getClassLoader());
                ConfigMapping mapping = type.getAnnotation(ConfigMapping.class);
                assertTrue(mapping != null, name + " mentions @ConfigMapping but is not one");
                mappingKeys(mapping.prefix(), type, keys);
                mappings++;
            }
            Matcher m = CONFIG_PROPERTY.matcher(source);
            while (m.find()) {
                keys.put(m.group(1), m.group(2) != null ? m.group(2) : NONE);
            }
            Matcher r = SOURCE_READ.matcher(source);
            while (r.find()) {
                keys.put(r.group(1), anyProfile(properties, r.group(1)));
            }
        }
        assertTrue(mappings >= 6, "the @ConfigMapping interfaces are found (" + mappings + ")");
        for (Map.Entry<String, String> e : keys.entrySet()) {
            String set = properties.getProperty(e.getKey());
            if (set != null) {
                e.setValue(set);
            }
        }
        return keys;
    }

    static void mappingKeys(String prefix, Class<?> type, Map<String, String> keys) {
        for (Method method : type.getMethods()) {
            if (method.getParameterCount() > 0 || Modifier.isStatic(method.getModifiers()) || method.isDefault()
                    || method.getDeclaringClass() == Object.class) {
                continue;
            }
            String key = method.isAnnotationPresent(WithParentName.class) ? prefix
                    : prefix + "." + (method.isAnnotationPresent(WithName.class) ? method.getAnnotation(WithName.class).value() : kebab(method.getName()));
            Class<?> raw = method.getReturnType();
            Type generic = method.getGenericReturnType();
            if (raw == Map.class) {
                Type value = ((ParameterizedType) generic).getActualTypeArguments()[1];
                if (value instanceof Class<?> v && isGroup(v)) {
                    mappingKeys(key + ".<name>", v, keys);
                } else {
                    keys.put(key + ".<name>", defaultOf(method));
                }
            } else if (raw == Optional.class && ((ParameterizedType) generic).getActualTypeArguments()[0] instanceof Class<?> v && isGroup(v)) {
                mappingKeys(key, v, keys);
            } else if (isGroup(raw)) {
                mappingKeys(key, raw, keys);
            } else {
                keys.put(key, defaultOf(method));
            }
        }
    }

    static boolean isGroup(Class<?> type) {
        return type.isInterface() && !type.getName().startsWith("java.") && !Collection.class.isAssignableFrom(type);
    }

    static String defaultOf(Method method) {
        WithDefault d = method.getAnnotation(WithDefault.class);
        if (d == null) {
            return NONE;
        }
        Matcher m = EXPRESSION.matcher(d.value());
        return m.matches() ? m.group(1) : d.value();
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    static Properties properties() throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(PROPERTIES)));
        return p;
    }

    /** A config source's key has no default of its own in a mapping: the value a profile of application.properties gives it. */
    static String anyProfile(Properties properties, String key) {
        TreeSet<String> values = new TreeSet<>();
        for (String name : properties.stringPropertyNames()) {
            if (name.equals(key) || name.matches("%[a-z]+\\." + Pattern.quote(key))) {
                values.add(properties.getProperty(name));
            }
        }
        assertTrue(values.size() <= 1, key + " has one value in application.properties: " + values);
        return values.isEmpty() ? NONE : values.first();
    }

    /** Equal as text, or as the same duration, memory size or number. */
    static boolean same(String code, String page) {
        if (code.equalsIgnoreCase(page)) {
            return true;
        }
        if (code.equals(NONE) || page.equals(NONE)) {
            return false;
        }
        return equalAs(code, page, ConfigurationReferenceTest::number)
                || equalAs(code, page, s -> unitless(s) ? null : DurationConverter.parseDuration(s))
                || equalAs(code, page, s -> new MemorySizeConverter().convert(s).asBigInteger());
    }

    static boolean unitless(String s) {
        return s.matches("[0-9.]+");
    }

    static Object number(String s) {
        return new BigDecimal(s.replace(",", "")).stripTrailingZeros();
    }

    static boolean equalAs(String a, String b, java.util.function.Function<String, Object> parse) {
        try {
            Object x = parse.apply(a);
            Object y = parse.apply(b);
            return x != null && x.equals(y);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
