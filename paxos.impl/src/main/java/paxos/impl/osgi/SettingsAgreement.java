package paxos.impl.osgi;

import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares this node's cluster-wide settings ({@link ConsoleSettings#SCOPE} "cluster" keys) with
 * its peers', read from their {@code GET /paxos/status} at the HTTP addresses the launcher hands
 * over ({@code paxos.http.members}), and warns once (WARNING) per peer, key and pair of values
 * that disagree; the console shows the current disagreements. Without HTTP addresses of peers it
 * does nothing.
 *
 * <p>One daemon thread polls every {@link #POLL_SECONDS} s, each peer with a 2 s timeout; a peer
 * that does not answer is skipped (liveness is the health checks' job). {@link #close} stops it.
 */
final class SettingsAgreement implements AutoCloseable {
    static final String MEMBERS_PROPERTY = "paxos.http.members";
    static final long POLL_SECONDS = 30;
    private static final System.Logger LOG = System.getLogger(SettingsAgreement.class.getName());
    private static final Pattern SETTINGS = Pattern.compile("\"settings\":\\{([^}]*)\\}");
    private static final int WARNED_MAX = 1024;

    /** One disagreement: {@code key} is {@code here} on this node and {@code there} on {@code peer}. */
    record Disagreement(int peer, String key, String here, String there) {}

    private final Map<Integer, String> peers;
    private final Supplier<Map<String, Object>> ownSettings;
    private final Function<String, String> fetch;
    private final Set<Disagreement> warned = new HashSet<>();
    private volatile List<Disagreement> current = List.of();
    private ScheduledExecutorService poller;

    /**
     * @param fetch GETs a URL and returns the body, or {@code null} if the peer did not answer 200
     */
    SettingsAgreement(int selfId, String members, Supplier<Map<String, Object>> ownSettings, Function<String, String> fetch) {
        this.peers = parse(members, selfId);
        this.ownSettings = ownSettings;
        this.fetch = fetch;
    }

    /** Polls peers over HTTP from a daemon thread; no-op without peers. */
    static SettingsAgreement start(int selfId, String members, Supplier<Map<String, Object>> ownSettings) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        SettingsAgreement a = new SettingsAgreement(selfId, members, ownSettings, url -> get(client, url));
        if (a.peers.isEmpty()) return a;
        a.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "paxos-settings-agreement");
            t.setDaemon(true);
            return t;
        });
        a.poller.scheduleWithFixedDelay(a::check, 5, POLL_SECONDS, TimeUnit.SECONDS);
        return a;
    }

    /** The disagreements found by the last poll. */
    List<Disagreement> disagreements() {
        return current;
    }

    /** One poll of every peer; warns about new disagreements. */
    void check() {
        Map<String, Object> own = ownSettings.get();
        List<Disagreement> found = new ArrayList<>();
        peers.forEach((peer, base) -> {
            String body;
            try {
                body = fetch.apply(base + "/paxos/status");
            } catch (RuntimeException e) {
                return; // unreachable: nothing to compare
            }
            Map<String, String> theirs = body == null ? Map.of() : settingsOf(body);
            for (Map.Entry<String, String> e : ConsoleSettings.SCOPE.entrySet()) {
                if (!e.getValue().startsWith("cluster")) continue;
                String there = theirs.get(e.getKey());
                String here = String.valueOf(own.get(e.getKey()));
                if (there != null && !there.equals(here)) found.add(new Disagreement(peer, e.getKey(), here, there));
            }
        });
        current = List.copyOf(found);
        for (Disagreement d : found) {
            if (warned.size() < WARNED_MAX && warned.add(d))
                LOG.log(Level.WARNING, "cluster-wide setting {0} is {1} on this node but {2} on node {3}: every node must have "
                        + "the same value (see the Settings section of the console''s Paxos page)", d.key(), d.here(), d.there(), d.peer());
        }
    }

    /** The flat "settings" object of a status document, values as text. */
    static Map<String, String> settingsOf(String statusJson) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = SETTINGS.matcher(statusJson);
        if (!m.find()) return out;
        Matcher kv = Pattern.compile("\"([A-Za-z]+)\":(-?[0-9]+|\"[^\"]*\")").matcher(m.group(1));
        while (kv.find()) out.put(kv.group(1), kv.group(2).replace("\"", ""));
        return out;
    }

    private static Map<Integer, String> parse(String members, int selfId) {
        Map<Integer, String> out = new TreeMap<>();
        if (members == null || members.isBlank()) return out;
        for (String entry : members.split(",")) {
            String e = entry.trim();
            int at = e.indexOf('@');
            try {
                int id = Integer.parseInt(e.substring(0, Math.max(at, 0)));
                if (id != selfId && at > 0) out.put(id, "http://" + e.substring(at + 1));
            } catch (NumberFormatException bad) {
                LOG.log(Level.DEBUG, "ignoring {0} entry {1}", MEMBERS_PROPERTY, e);
            }
        }
        return out;
    }

    private static String get(HttpClient client, String url) {
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public void close() {
        if (poller != null) poller.shutdownNow();
    }
}
