package io.docshift.support;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Debian's headless chromium driven through its chromedriver (no browser is ever downloaded), with a fresh
 * profile per browser and the flags this machine's closed network needs.
 */
public final class Browser implements AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path SHOTS = Path.of("target", "screenshots");
    /** Debian's chromium and its chromedriver: from the PATH, or where {@code docshift.test.chromium(driver)} says. */
    public static final String CHROMIUM = System.getProperty("docshift.test.chromium", Tools.find("chromium").map(Path::toString).orElse("chromium"));
    public static final String CHROMEDRIVER = System.getProperty("docshift.test.chromedriver",
            Tools.find("chromedriver").map(Path::toString).orElse("chromedriver"));

    private final ChromeDriver driver;
    private final String name;
    private final Path profile;

    private Browser(ChromeDriver driver, String name, Path profile) {
        this.driver = driver;
        this.name = name;
        this.profile = profile;
    }

    /** A new browser; {@code name} prefixes its screenshots. */
    public static Browser open(String name) throws IOException {
        Path profile = Files.createTempDirectory("chromium-" + name);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage", "--window-size=1366,900", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(WAIT);
        return new Browser(driver, name, profile);
    }

    public void go(String url) {
        driver.get(url);
    }

    /** Signs in on the sign-in page the dashboard shows without a session. */
    public void signIn(String key) {
        WebElement input = find(By.id("key"));
        input.sendKeys(key);
        input.submit();
        await(() -> !all("#session").isEmpty() && text("#session").contains("Signed in"), "signed in");
    }

    public WebElement find(By by) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return driver.findElement(by);
            } catch (NoSuchElementException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no " + by + " on the page: " + driver.getCurrentUrl() + "\n" + driver.findElement(By.tagName("body")).getText());
                }
                sleep();
            }
        }
    }

    /** Clicks what {@code by} finds, finding it again if the page redrew it in between. */
    public void click(By by) {
        again(() -> {
            find(by).click();
            return null;
        });
    }

    /** An attribute of what {@code by} finds, finding it again if the page redrew it in between. */
    public String attribute(By by, String name) {
        return again(() -> find(by).getAttribute(name));
    }

    /** {@code read} of an element, done again while the page redraws that element under it. */
    private <T> T again(java.util.function.Supplier<T> read) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return read.get();
            } catch (StaleElementReferenceException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                sleep();
            }
        }
    }

    public List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    public String text(String css) {
        return again(() -> find(By.cssSelector(css)).getText());
    }

    /** Waits until the element's text contains {@code expected}. */
    public void awaitText(String css, String expected) {
        awaitText(css, expected, WAIT);
    }

    public void awaitText(String css, String expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String seen = "";
        while (System.nanoTime() < deadline) {
            try {
                List<WebElement> found = driver.findElements(By.cssSelector(css));
                if (!found.isEmpty()) {
                    seen = found.get(0).getText();
                    if (seen.contains(expected)) {
                        return;
                    }
                }
            } catch (StaleElementReferenceException e) {
                // the page re-rendered under us: look again
            }
            sleep();
        }
        throw new AssertionError(css + " never showed \"" + expected + "\" within " + timeout + "; it showed \"" + seen + "\"");
    }

    /** Polls {@code condition} until it holds. */
    public void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (StaleElementReferenceException | NoSuchElementException | NumberFormatException e) {
                // not there yet
            }
            sleep();
        }
        throw new AssertionError("never: " + what);
    }

    public Object script(String js) {
        return ((JavascriptExecutor) driver).executeScript(js);
    }

    /** Runs asynchronous script: it ends by calling {@code arguments[arguments.length - 1]} with its result. */
    public Object script(String js, boolean async) {
        return async ? ((JavascriptExecutor) driver).executeAsyncScript(js) : script(js);
    }

    /** Saves a screenshot as {@code target/screenshots/<browser>-<label>.png}. */
    public Path screenshot(String label) throws IOException {
        Files.createDirectories(SHOTS);
        Path file = SHOTS.resolve(name + "-" + label + ".png");
        Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        return file;
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
