package io.docshift.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every relative link in README.md and docs/ resolves: the file exists and, for a link into a Markdown page with a
 * {@code #fragment}, the page has a heading whose GitHub anchor is that fragment. Links in code (fenced blocks and
 * inline code spans) are not links; absolute URLs ({@code https:}, {@code mailto:}) are not checked.
 */
class DocsLinksTest {

    static final Path ROOT = Path.of("").toAbsolutePath();
    /** {@code [text](target)} and {@code ![alt](target)}; a target has no spaces (an optional "title" follows one). */
    static final Pattern LINK = Pattern.compile("!?\\[(?:[^\\]\\[]|\\[[^\\]]*])*]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    static final Pattern INLINE_CODE = Pattern.compile("(`+)(?:(?!\\1).)+?\\1");
    static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    @Test
    void everyRelativeLinkOfReadmeAndDocsResolves() {
        List<Path> pages = pages();
        assertTrue(pages.size() > 10, "README.md and the pages of docs/ are found from " + ROOT + ": " + pages);
        List<String> broken = new ArrayList<>();
        int checked = 0;
        Map<Path, Set<String>> anchors = new HashMap<>();
        for (Path page : pages) {
            for (Link link : links(page)) {
                if (SCHEME.matcher(link.target).find()) {
                    continue;
                }
                checked++;
                String target = link.target;
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                String fragment = hash < 0 ? null : target.substring(hash + 1);
                Path resolved = file.isEmpty() ? page : page.getParent().resolve(decode(file)).normalize();
                String where = ROOT.relativize(page) + ":" + link.line + ": (" + target + ")";
                if (!resolved.startsWith(ROOT)) {
                    broken.add(where + " leaves the repository");
                } else if (!Files.exists(resolved)) {
                    broken.add(where + " names no file");
                } else if (fragment != null && resolved.toString().endsWith(".md")) {
                    Set<String> known = anchors.computeIfAbsent(resolved, DocsLinksTest::anchors);
                    if (!known.contains(decode(fragment).toLowerCase(Locale.ROOT))) {
                        broken.add(where + " names no heading of " + ROOT.relativize(resolved) + " (its anchors: " + known + ")");
                    }
                }
            }
        }
        assertTrue(checked > 20, "the relative links were found (" + checked + ")");
        assertEquals(List.of(), broken, broken.size() + " broken link(s):\n" + String.join("\n", broken));
    }

    @Test
    void anchorsFollowGitHubsSlugRules() {
        // What github.com gives these headings (lower case, punctuation dropped, spaces to hyphens, repeats numbered).
        Set<String> slugs = new LinkedHashSet<>();
        for (String heading : List.of("High availability and scaling", "What `docshift deploy` does", "Failure modes F1–F16",
                "Kubernetes: a pre-upgrade Job", "Writes, overload and the connection budget", "Notes", "Notes", "The CLI's `--json`")) {
            addSlug(slugs, heading);
        }
        assertEquals(List.of("high-availability-and-scaling", "what-docshift-deploy-does", "failure-modes-f1f16",
                "kubernetes-a-pre-upgrade-job", "writes-overload-and-the-connection-budget", "notes", "notes-1", "the-clis---json"),
                List.copyOf(slugs));
    }

    record Link(int line, String target) {
    }

    static List<Path> pages() {
        List<Path> pages = new ArrayList<>();
        pages.add(ROOT.resolve("README.md"));
        try (Stream<Path> s = Files.walk(ROOT.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pages;
    }

    /** The links of a page, outside fenced code blocks and inline code. */
    static List<Link> links(Path page) {
        List<Link> links = new ArrayList<>();
        int n = 0;
        boolean fenced = false;
        for (String line : lines(page)) {
            n++;
            if (line.strip().startsWith("```") || line.strip().startsWith("~~~")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            Matcher m = LINK.matcher(INLINE_CODE.matcher(line).replaceAll(""));
            while (m.find()) {
                links.add(new Link(n, m.group(1)));
            }
        }
        return links;
    }

    /** The anchors GitHub gives a page's headings. */
    static Set<String> anchors(Path page) {
        Set<String> slugs = new LinkedHashSet<>();
        boolean fenced = false;
        for (String line : lines(page)) {
            if (line.strip().startsWith("```") || line.strip().startsWith("~~~")) {
                fenced = !fenced;
                continue;
            }
            Matcher m = HEADING.matcher(line);
            if (!fenced && m.matches()) {
                addSlug(slugs, m.group(2));
            }
        }
        return slugs;
    }

    /**
     * GitHub's rule (github-slugger): lower case; drop every character that is not a letter, a digit, a space, a
     * hyphen or an underscore (so Markdown's backticks and asterisks go, and the text of a link stays); spaces become
     * hyphens; a slug seen before on the page gets {@code -1}, {@code -2}...
     */
    static void addSlug(Set<String> slugs, String heading) {
        String text = heading.replaceAll("\\[([^]]*)]\\([^)]*\\)", "$1");
        String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\p{M} _-]", "").replace(' ', '-');
        String unique = slug;
        for (int i = 1; slugs.contains(unique); i++) {
            unique = slug + "-" + i;
        }
        slugs.add(unique);
    }

    static String decode(String s) {
        return java.net.URLDecoder.decode(s.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
    }

    static List<String> lines(Path page) {
        try {
            return Files.readAllLines(page);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
