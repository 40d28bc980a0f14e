package paxos.plugins.kv.internal;

import java.nio.charset.StandardCharsets;
import paxos.plugin.support.http.HttpAnswer;

/** {@code kv:get key}, {@code kv:put key value}, {@code kv:delete key} for the Gogo shell. */
public final class KvGogoCommands {
    private final KvHttp http;

    KvGogoCommands(KvHttp http) {
        this.http = http;
    }

    /** Linearizable read of {@code key}. */
    public String get(String key) {
        return render(http.get(key, null));
    }

    /** Writes {@code value} (UTF-8) under {@code key}. */
    public String put(String key, String value) {
        return render(http.put(key, value.getBytes(StandardCharsets.UTF_8), null));
    }

    /** Deletes {@code key}. */
    public String delete(String key) {
        return render(http.delete(key, null));
    }

    private static String render(HttpAnswer r) {
        return r.shellLine();
    }
}
