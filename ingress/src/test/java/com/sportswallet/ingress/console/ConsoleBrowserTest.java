package com.sportswallet.ingress.console;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.sportswallet.contracts.OperatorRoles;
import com.sportswallet.ingress.OperatorApiTest;
import com.sportswallet.ingress.PlayerSessions;
import com.sportswallet.ingress.TestKeys;
import com.sportswallet.ingress.provider.Provider;
import com.sportswallet.testkit.OperatorKeys;
import com.sportswallet.testkit.RealInfraResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The operator console in a real browser (Debian's chromium, headless, driven by Selenium through Debian's
 * chromedriver; .ci/run installs both): login with a token, a player's page built from the operator API (its
 * session listed), a deposit through its form, a reload in the same tab, a support token refused the write in the
 * API's words, the search, and a provider-supplied string shown as text, never as markup.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TestKeys.class, restrictToAnnotatedClass = false)
class ConsoleBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Duration WAIT = Duration.ofSeconds(20);
    /** A market name a provider could send: shown as text, it must never become an element. */
    static final String HOSTILE = "<img id=\"pwned\" src=\"x\">1x2";

    static WebDriver browser;
    static Path profile;

    @TestHTTPResource("/")
    URL base;

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "the browser tests need Debian's chromium and chromium-driver (.ci/run installs them: apt-get install chromium chromium-driver)");
        profile = Files.createTempDirectory("console-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // No network beyond localhost here: chromium's own background connections are refused by the machine.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1280, 1300)); // the screenshots' size
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
    }

    private String url(String path) {
        return base.toString().replaceAll("/$", "") + path;
    }

    private static WebElement waitFor(By by) {
        return new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    private static void waitForText(By by, String text) {
        new WebDriverWait(browser, WAIT).until(ExpectedConditions.textToBe(by, text));
    }

    /**
     * Saves what the browser shows as {@code target/console-screenshots/NAME.png} (docs/console-player.png, in the
     * README, is the player page's). A screenshot that fails is reported, never a test failure.
     */
    private static void screenshot(String name) {
        try {
            Path dir = Files.createDirectories(Path.of("target", "console-screenshots"));
            Files.write(dir.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        } catch (IOException | WebDriverException e) {
            System.err.println("console screenshot " + name + " not saved: " + e);
        }
    }

    private static void logIn(String role) {
        WebElement token = waitFor(By.id("token"));
        token.sendKeys(OperatorKeys.operatorToken(OperatorKeys.OPERATOR.getPrivate(), role));
        browser.findElement(By.cssSelector("#login-form button")).click();
    }

    @Test
    void anOperatorFindsAPlayerSeesItsMoneyAndDepositsThroughThePage() {
        String player = OperatorApiTest.createPlayer("EUR");
        OperatorApiTest.deposit(player, "dep-" + player, 1_000).then().statusCode(200);
        Map<String, Object> make = Provider.make(player, Provider.txId(), 100, "EUR");
        Provider.selection(make).put("market_name", HOSTILE);
        assertEquals(200, Provider.call("bet/make", make).statusCode());

        // A direct link without a token: the login form only.
        browser.manage().deleteAllCookies();
        browser.get(url("/console/players/" + player));
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("sessionStorage.clear()");
        browser.navigate().refresh();
        waitFor(By.id("token"));
        screenshot("login");
        logIn(OperatorRoles.OPERATOR);
        waitForText(By.id("balance"), "900");
        assertEquals("ACTIVE", browser.findElement(By.id("player-status")).getText());

        // The bet, with the provider's market name as text.
        WebElement bets = waitFor(By.cssSelector("#bets article.bet"));
        assertTrue(bets.getText().contains(HOSTILE), bets.getText());
        assertTrue(browser.findElements(By.id("pwned")).isEmpty(), "a provider's string became markup");

        // The session the fixture opened, listed with its state (GET /operator/players/{id}/sessions).
        WebElement sessions = waitFor(By.cssSelector("#extras table.sessions"));
        assertTrue(sessions.getText().contains(PlayerSessions.of(player)) && sessions.getText().contains("OPEN"), sessions.getText());

        // A deposit through the form: the page refreshes from the API.
        browser.findElement(By.cssSelector("#deposit-form input[name=amount]")).sendKeys("500");
        browser.findElement(By.cssSelector("#deposit-form button")).click();
        waitForText(By.id("balance"), "1400");
        assertTrue(waitFor(By.cssSelector("#ledger table")).getText().contains("deposit"));
        screenshot("player");

        // A reload in the same tab: still logged in, the data there again.
        browser.navigate().refresh();
        waitForText(By.id("balance"), "1400");

        // Support reads but may not deposit: the API's refusal, shown in its words; the balance unchanged.
        browser.findElement(By.id("logout")).click();
        logIn(OperatorRoles.SUPPORT);
        waitForText(By.id("balance"), "1400");
        browser.findElement(By.cssSelector("#deposit-form input[name=amount]")).sendKeys("5");
        browser.findElement(By.cssSelector("#deposit-form button")).click();
        new WebDriverWait(browser, WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("form-result"), "403"));
        assertEquals(1400, OperatorApiTest.balance(player));

        // The search finds the player by prefix and links to its page.
        browser.get(url("/console"));
        waitFor(By.id("search-q")).sendKeys(player);
        browser.findElement(By.cssSelector("#search button")).click();
        waitFor(By.linkText(player));
        screenshot("search");
        waitFor(By.linkText(player)).click();
        waitForText(By.id("balance"), "1400");

        // The pipeline page: the backlog and the charts.
        browser.get(url("/console/pipeline"));
        waitFor(By.id("pending-count"));
        assertFalse(browser.findElements(By.cssSelector("svg.chart")).isEmpty());
        screenshot("pipeline");
    }

    @Test
    void pagesAreShellsWithAStrictContentSecurityPolicyAndFragmentsNeedAToken() {
        String page = given().get("/console/players/p-1").then().statusCode(200)
                .header("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
                .extract().asString();
        assertFalse(page.contains("<script>"), "no inline script");
        assertTrue(page.contains("<script src=\"/webjars/htmx.org/dist/htmx.min.js\""), page);
        given().get("/webjars/htmx.org/dist/htmx.min.js").then().statusCode(200);
        given().get("/console/fragments/players/p-1/wallet").then().statusCode(401);
        given().get("/console/players/not%20an%20id").then().statusCode(400);
    }
}
