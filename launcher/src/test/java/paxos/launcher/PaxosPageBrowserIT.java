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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * restart), that its live charts poll the metrics and draw, and that a real checkpoint transfer
 * shows a progress bar with bytes, rate and ETA while it runs (node 3 misses writes beyond every
 * peer's retained log and pulls a checkpoint once it and its peers are back, which the senders'
 * rate limit {@code checkpointTransferBytesPerSecond} stretches to several seconds). Skipped only where
 * Chromium or its driver is not installed; CI installs them ({@code .ci/run}).
 */
class PaxosPageBrowserIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final int GROUPS = 4;
  private static final Duration STEP = Duration.ofSeconds(60);
  /**
   * The senders' limit, twice the lowest allowed: with {@link #BIG_VALUES} of {@link #BIG_VALUE_CHARS}
   * (random letters: LevelDB's Snappy cannot shrink them) the checkpoint is about 3 MiB, sent in
   * 1 MiB chunks, so the bar shows 1, 2 and 3 MiB for about 8 s each and the transfer runs about
   * 24 s however fast the machine; a bigger checkpoint at full speed would be over in milliseconds
   * on a fast disk and take minutes to write on a slow one. Node 3's page is loaded before its
   * peers are back (nothing can be sent to it before), so the page's start-up is not part of that time.
   */
  private static final int TRANSFER_BYTES_PER_SECOND = 131_072;
  private static final int BIG_VALUES = 48;
  private static final int BIG_VALUE_CHARS = 64 << 10;
  /** The text of a running transfer's bar for group {@code TRANSFER_GROUP} on node 3. */
  private static final Pattern RUNNING_BAR = Pattern.compile(
      "group 1 receive peer ([12]) receiving: (\\d+) / (\\d+) bytes, (\\d+) B/s, ETA (\\d+) s");
  private static final int TRANSFER_GROUP = 1;
  /** Instances past node 1's chosen position that node 3, stopped as the group's leader, may hold: twice the window. */
  private static final int RETAINED_MARGIN = 8;

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
    // no log kept behind the state machines' positions, in small segments: the log a stopped node
    // needs is deleted soon after it stops (the retention cleaner deletes whole segments)
    cluster = LocalCluster.start(temp.resolve("cluster"), 3, Map.of("groupCount", Integer.toString(GROUPS),
        "holdLogCount", "0", "segmentBytes", Integer.toString(64 << 10), "cleanerIntervalMillis", "200",
        "checkpointTransferBytesPerSecond", Integer.toString(TRANSFER_BYTES_PER_SECOND)));
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
    TestSupport.await().atMost(STEP).until(() -> attribute("paxos-chart-rtt", "data-last").matches(".*peer [23]=[0-9.]+.*"));
    assertTrue(browser.findElement(By.id("paxos-transfers")).getText().contains("none"), "no checkpoint transfer on a fresh cluster");

    checkpointTransferShowsItsProgress();
    browser.get(page);
    TestSupport.await().atMost(STEP).until(() -> !browser.findElements(By.id("paxos-groups")).isEmpty());

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

  /**
   * Node 3 stops; 3 MiB is written to one group through node 1 until nodes 1 and 2 deleted the log
   * node 3 needs; they stop too. Node 3 starts again alone and its console page is loaded; then
   * nodes 1 and 2 start again and node 3 pulls that group's checkpoint from one of them at
   * {@link #TRANSFER_BYTES_PER_SECOND}. Its console page shows the bar moving, with a rate and an
   * ETA, then the outcome.
   */
  private void checkpointTransferShowsItsProgress() throws Exception {
    int group = TRANSFER_GROUP;
    List<String> keys = new java.util.ArrayList<>();
    for (int i = 0; keys.size() < BIG_VALUES; i++) {
      if (Math.floorMod(("big-" + i).hashCode(), GROUPS) == group) {
        keys.add("big-" + i);
      }
    }
    cluster.kill(3);
    long stoppedAt = chosen(1, group);
    // segment files created from now on hold the big values (each one a file of its own: 64 KiB segments)
    long[] firstNewSegment = {0, newestSegment(1) + 1, newestSegment(2) + 1};
    java.util.Random random = new java.util.Random(15);
    for (String key : keys) {
      StringBuilder value = new StringBuilder(BIG_VALUE_CHARS);
      for (int i = 0; i < BIG_VALUE_CHARS; i++) {
        value.append((char) ('a' + random.nextInt(26)));
      }
      Http.Reply put = cluster.http(1).put("/kv/" + key, value.toString());
      assertEquals(200, put.status(), put.toString());
    }
    // nodes 1 and 2 deleted what node 3 needs. Node 3 may hold more than node 1 had chosen when it stopped: as the
    // group's leader it may have chosen the instances in its window (up to 4) before node 1 heard of them. So the
    // peers must have deleted beyond that window.
    long needed = stoppedAt + 1 + RETAINED_MARGIN;
    TestSupport.await().atMost(STEP).until(() -> minRetained(1, group) > needed && minRetained(2, group) > needed);
    // and durably: a retention point takes effect for reads at once but is written by the store's cleaner, which
    // deletes files only below retention points it made durable; killed before that, a peer came back with its log
    // (in one CI run node 3 then caught up through it, and no checkpoint moved). Files go oldest first, so once the
    // files of the first RETAINED_MARGIN + 1 big values are gone, the peers cannot serve what node 3 needs.
    TestSupport.await().atMost(STEP).until(() -> oldestSegment(1) > firstNewSegment[1] + RETAINED_MARGIN
        && oldestSegment(2) > firstNewSegment[2] + RETAINED_MARGIN);

    // stop the peers too: a peer's transport kept the accepts for node 3 queued while it was
    // down and would hand them over at its return (node 3 would catch up without a checkpoint);
    // started again, they hold only what their log retains. Node 3 starts first, alone: its page
    // loads while no peer can send it anything yet (a node's start-up under load takes seconds)
    cluster.kill(1);
    cluster.kill(2);
    cluster.startNode(3);
    long restartNanos = System.nanoTime();
    String page3 = "http://" + LocalCluster.USER + ":" + LocalCluster.PASSWORD + "@127.0.0.1:"
        + cluster.settings(3).httpPort() + "/system/console/paxos";
    TestSupport.await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> {
      browser.get(page3);
      return !browser.findElements(By.id("paxos-transfers")).isEmpty();
    });
    long loadedMillis = (System.nanoTime() - restartNanos) / 1_000_000;
    assertTrue(text("paxos-transfers").contains("none"), "no transfer before the peers are back: " + text("paxos-transfers"));
    cluster.startNode(1);
    cluster.startNode(2);
    long peersNanos = System.nanoTime();
    // the page's script refreshes the bar every 2 s: two readings of a running transfer, the second further
    long[] first = new long[1];
    try {
      TestSupport.await().atMost(STEP).untilAsserted(() -> {
        Matcher bar = RUNNING_BAR.matcher(text("paxos-transfers"));
        assertTrue(bar.find(), text("paxos-transfers"));
        long bytes = Long.parseLong(bar.group(2));
        long total = Long.parseLong(bar.group(3));
        assertTrue(bytes > 0 && bytes < total && total >= (long) BIG_VALUES * BIG_VALUE_CHARS / 2, bar.group());
        assertTrue(Long.parseLong(bar.group(4)) > 0 && Long.parseLong(bar.group(5)) > 0, "a rate and an ETA: " + bar.group());
        first[0] = bytes;
      });
      System.out.printf("node 3's page loaded %d ms after its start; %d bytes received shown %d ms after its peers' start%n",
          loadedMillis, first[0], (System.nanoTime() - peersNanos) / 1_000_000);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // every node's status and log tail: what node 3 and its peers held is what tells why no checkpoint moved
      StringBuilder why = new StringBuilder("group " + group + " was at " + stoppedAt + " on node 1 when node 3 stopped");
      for (int n = 3; n >= 1; n--) {
        List<String> log = Files.readAllLines(cluster.log(n));
        why.append("\nnode ").append(n).append(": ").append(cluster.http(n).get("/paxos/status").body()).append("\nits log:\n")
            .append(String.join("\n", log.subList(Math.max(0, log.size() - 60), log.size())));
      }
      throw new AssertionError(why.toString(), e);
    }
    TestSupport.await().atMost(STEP).untilAsserted(() -> {
      Matcher bar = RUNNING_BAR.matcher(text("paxos-transfers"));
      assertTrue(bar.find() && Long.parseLong(bar.group(2)) > first[0], "the bar moves on from " + first[0] + ": "
          + text("paxos-transfers"));
    });
    WebElement progress = browser.findElement(By.cssSelector("#paxos-transfers .paxos-transfer[data-group='" + group + "'] progress"));
    assertTrue(Long.parseLong(progress.getAttribute("value")) > 0, "the progress element is filled");
    // it ends installed, and node 3 is a full member again
    TestSupport.await().atMost(Duration.ofSeconds(120)).until(() -> text("paxos-transfers").contains("INSTALLED"));
    cluster.awaitReady(Duration.ofSeconds(120));
  }

  private long chosen(int node, int group) {
    return ((Number) MiniJson.at(((List<?>) cluster.status(node).get("groups")).get(group), "chosenInstance")).longValue();
  }

  /** The IDs of node {@code node}'s log segment files ({@code <dataDir>/log/<20 digits>.seg}). */
  private long[] segments(int node) throws java.io.IOException {
    Path log = Path.of((String) MiniJson.at(cluster.status(node).get("settings"), "dataDir")).resolve("log");
    try (java.util.stream.Stream<Path> files = Files.list(log)) {
      return files.map(f -> f.getFileName().toString()).filter(name -> name.matches("\\d{20}\\.seg"))
          .mapToLong(name -> Long.parseLong(name.substring(0, 20))).toArray();
    }
  }

  private long newestSegment(int node) throws java.io.IOException {
    return java.util.stream.LongStream.of(segments(node)).max().orElse(0);
  }

  private long oldestSegment(int node) throws java.io.IOException {
    return java.util.stream.LongStream.of(segments(node)).min().orElse(Long.MAX_VALUE);
  }

  /** The lowest instance node {@code node} still holds in its log for {@code group}; -1 while it does not answer. */
  private long minRetained(int node, int group) {
    Map<String, Object> status = cluster.status(node);
    return status == null ? -1
        : ((Number) MiniJson.at(((List<?>) status.get("groups")).get(group), "minRetainedInstance")).longValue();
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
