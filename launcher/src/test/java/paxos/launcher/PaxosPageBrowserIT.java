package paxos.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The web console's "Paxos" page in a real browser (headless Debian Chromium driven by
 * Selenium) against node 1 of a real 3-node cluster: what it shows (every group RUNNING, peers
 * connected and authenticated, the executed position advancing after a KV write) and that its
 * actions work (pause and continue log cleaning; restart a state machine's bundle, after which
 * the state machine is RUNNING again; a setting kept from the page is in force after the node's
 * restart), and that its live charts poll the metrics and draw. Skipped only where Chromium or its driver is not
 * installed; CI installs them ({@code .ci/run}).
 */
class PaxosPageBrowserIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final int GROUPS = 4;
  private static final Duration STEP = Duration.ofSeconds(60);

  @TempDir Path temp;
  private LocalCluster cluster;
  private WebDriver browser;

  @AfterEach
  void stop() throws InterruptedException {
    if (browser != null) {
      browser.quit();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void paxosPageShowsTheLiveNodeAndItsActionsWork() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)");
    long startNanos = System.nanoTime();
    cluster = LocalCluster.start(temp.resolve("cluster"), 3, Map.of("groupCount", Integer.toString(GROUPS)));
    cluster.awaitReady(Duration.ofSeconds(120));
    browser = chromium(temp.resolve("chromium-profile"));
    // basic auth in the URL: Chromium accepts it for a top-level navigation and keeps the
    // credentials for the origin, so the form posts below are authenticated too
    String page = "http://" + LocalCluster.USER + ":" + LocalCluster.PASSWORD + "@127.0.0.1:"
        + cluster.settings(1).httpPort() + "/system/console/paxos";
    browser.get(page);
    TestSupport.await().atMost(STEP).until(() -> !browser.findElements(By.id("paxos-groups")).isEmpty());

    List<WebElement> groups = browser.findElements(By.cssSelector("#paxos-groups tbody tr"));
    assertEquals(GROUPS, groups.size(), "one row per group");
    for (WebElement row : groups) {
      assertEquals("RUNNING", row.findElement(By.cssSelector("td.state")).getText(), row.getText());
    }
    List<WebElement> peers = browser.findElements(By.cssSelector("#paxos-peers tbody tr"));
    assertEquals(2, peers.size(), "nodes 2 and 3");
    for (WebElement row : peers) {
      assertEquals("true", row.findElement(By.cssSelector("td.connected")).getText(), row.getText());
      assertEquals("true", row.findElement(By.cssSelector("td.authenticated")).getText(), row.getText());
    }

    // a KV write moves the executed position of its group
    String key = "browser-key";
    int group = Math.floorMod(key.hashCode(), GROUPS);
    long before = executed(group);
    Http.Reply write = cluster.http(2).put("/kv/" + key, "hello");
    assertEquals(200, write.status(), write.toString());
    TestSupport.await().atMost(STEP).until(() -> {
      browser.get(page);
      return executed(group) > before;
    });

    // the live charts poll /paxos/metrics and grow; a write through node 1 gives its latency chart a value
    assertEquals(200, cluster.http(1).put("/kv/" + key + "-2", "again").status());
    int pointsBefore = points("paxos-chart-throughput");
    TestSupport.await().atMost(STEP).until(() -> points("paxos-chart-throughput") >= pointsBefore + 3);
    try {
      TestSupport.await().atMost(STEP).until(() -> attribute("paxos-chart-latency", "data-last").matches(".*p99=[0-9.]+.*"));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("latency chart: " + attribute("paxos-chart-latency", "data-last") + "; node 1 metrics: "
          + cluster.http(1).get("/paxos/metrics").body().lines().filter(l -> l.startsWith("paxos_propose")).toList(), e);
    }
    assertTrue(attribute("paxos-chart-lag", "data-last").contains("executing="), attribute("paxos-chart-lag", "data-last"));
    Object inked = ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("var c=document.getElementById('paxos-chart-latency');"
        + "var d=c.getContext('2d').getImageData(0,0,c.width,c.height).data,n=0;for(var i=3;i<d.length;i+=4)if(d[i])n++;return n;");
    assertTrue(((Number) inked).longValue() > 0, "the latency chart drew something");
    assertTrue(browser.findElement(By.id("paxos-transfers")).getText().contains("none"), "no checkpoint transfer on a fresh cluster");

    // "Send a command": the page's script posts to the command endpoint with the console login
    // (not a KV encoding: the KV answers INVALID_COMMAND as a result, through the log)
    browser.findElement(By.id("paxos-command-id")).sendKeys("1");
    browser.findElement(By.id("paxos-command-text")).sendKeys("not a kv command");
    browser.findElement(By.id("paxos-command-send")).click();
    TestSupport.await().atMost(STEP).untilAsserted(() ->
        assertTrue(text("paxos-command-result").startsWith("200 at instance "), text("paxos-command-result")));
    assertTrue(text("paxos-command-result").contains("INVALID_COMMAND"), text("paxos-command-result"));

    // pause, then continue log cleaning
    browser.findElement(By.id("paxos-cleaning-toggle")).click();
    TestSupport.await().atMost(STEP).until(() -> text("paxos-cleaning").equals("paused"));
    assertEquals("Log cleaning paused", text("paxos-message"));
    assertEquals("Continue log cleaning", browser.findElement(By.id("paxos-cleaning-toggle")).getText());
    browser.findElement(By.id("paxos-cleaning-toggle")).click();
    TestSupport.await().atMost(STEP).until(() -> text("paxos-cleaning").equals("running"));
    assertEquals("Log cleaning resumed", text("paxos-message"));

    // restart the KV state machine's bundle: the message names it, and it comes back RUNNING
    browser.findElement(By.id("paxos-restart-id")).sendKeys("1");
    browser.findElement(By.id("paxos-restart")).click();
    TestSupport.await().atMost(STEP).until(() -> text("paxos-message").equals("Restarting bundle paxos.plugin.kv"));
    TestSupport.await().atMost(STEP).untilAsserted(() -> {
      browser.get(page);
      for (WebElement row : browser.findElements(By.cssSelector("#paxos-groups tbody tr"))) {
        assertEquals("RUNNING", row.findElement(By.cssSelector("td.state")).getText(), row.getText());
        // "<id>@<version> <name>: <state>": the version in force is the KV bundle's
        assertTrue(row.findElement(By.cssSelector("td.sms")).getText().matches("(?s).*\\b1@\\S+ kv: RUNNING.*"), row.getText());
      }
    });
    assertEquals("200 hello", cluster.http(1).get("/kv/" + key).toString(), "KV serves again after its restart");

    // a setting kept from the console survives a restart of the node (LocalSettings)
    browser.get(page);
    browser.findElement(By.xpath("//select[@id='paxos-setting-key']/option[text()='holdLogCount']")).click();
    browser.findElement(By.id("paxos-setting-value")).sendKeys("5000");
    browser.findElement(By.id("paxos-setting-save")).click();
    TestSupport.await().atMost(STEP).until(() -> text("paxos-message").startsWith("holdLogCount = 5000 saved to "));
    cluster.kill(1);
    cluster.startNode(1);
    cluster.awaitReady(Duration.ofSeconds(120));
    assertEquals(5000L, ((Number) MiniJson.at(cluster.status(1).get("settings"), "holdLogCount")).longValue(),
        "the saved holdLogCount is in force after the restart");
    System.out.printf("browser test done in %d ms%n", (System.nanoTime() - startNanos) / 1_000_000);
  }

  private long executed(int group) {
    WebElement row = browser.findElement(By.cssSelector("#paxos-groups tbody tr[data-group='" + group + "']"));
    return Long.parseLong(row.findElement(By.cssSelector("td.executed")).getText().trim());
  }

  /** The samples chart {@code id} drew, -1 while it is absent. */
  private int points(String id) {
    String v = attribute(id, "data-points");
    return v.isEmpty() ? -1 : Integer.parseInt(v);
  }

  /** Attribute {@code name} of element {@code id}, or "" while either is absent. */
  private String attribute(String id, String name) {
    try {
      List<WebElement> found = browser.findElements(By.id(id));
      String v = found.isEmpty() ? null : found.get(0).getAttribute(name);
      return v == null ? "" : v;
    } catch (StaleElementReferenceException replacedMeanwhile) {
      return "";
    }
  }

  /** The text of element {@code id}, or "" while it is absent (e.g. the page is being replaced). */
  private String text(String id) {
    try {
      List<WebElement> found = browser.findElements(By.id(id));
      return found.isEmpty() ? "" : found.get(0).getText().trim();
    } catch (StaleElementReferenceException replacedMeanwhile) {
      return "";
    }
  }

  /** Headless Chromium with a fresh profile; flags that work in containers without a GPU. */
  private static WebDriver chromium(Path profile) throws Exception {
    Files.createDirectories(profile);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--user-data-dir=" + profile);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
        .usingAnyFreePort()
        .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    return driver;
  }
}
