package paxos.transport.netty;

/**
 * A parsed {@code host:port} (or {@code [v6]:port}) from {@link NettyTransportConfig#peers()}.
 * Package-private: the config validates with it, the transport connects with it.
 */
record PeerAddress(String host, int port) {

    /** @throws IllegalArgumentException naming the peer if {@code address} is malformed */
    static PeerAddress parse(int peerId, String address) {
        if (address == null) throw new IllegalArgumentException("peers: node " + peerId + " has no address");
        String a = address.trim();
        int colon = a.lastIndexOf(':');
        if (colon <= 0 || colon == a.length() - 1) {
            throw new IllegalArgumentException("peers: node " + peerId + " address must be host:port, got '" + address + "'");
        }
        String host = a.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("peers: node " + peerId + " IPv6 address must be [addr]:port, got '" + address + "'");
        }
        int port;
        try {
            port = Integer.parseInt(a.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("peers: node " + peerId + " port is not a number in '" + address + "'");
        }
        if (host.isBlank() || port < 1 || port > 65_535) {
            throw new IllegalArgumentException("peers: node " + peerId + " needs a host and a port in 1..65535, got '" + address + "'");
        }
        return new PeerAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
