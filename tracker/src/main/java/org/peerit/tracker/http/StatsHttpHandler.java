package org.peerit.tracker.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import org.peerit.tracker.TrackerStats;
import org.peerit.tracker.relay.RelayService;
import org.peerit.tracker.swarm.PeerEntry;
import org.peerit.tracker.swarm.SwarmTable;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Serves {@code /} (a live page: a fixed HTML shell whose script reads {@code /stats} every two seconds), {@code /stats}
 * (JSON) and {@code /metrics} (Prometheus text). A request that did not parse
 * (cut short, over-long line or headers) is answered 400, 414 or 431 and the connection closed: nothing is built for
 * it. Each page is built at most once a second and its bytes shared by every request in that second, so a crowd of
 * requests costs the tracker what one does. One instance serves every connection, all on the one HTTP event loop.
 */
@ChannelHandler.Sharable
public final class StatsHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    /** The HTML page lists at most this many swarms and peers per swarm; /stats has the totals. */
    private static final int PAGE_LIMIT = 200;
    private static final long PAGE_MAX_AGE_MILLIS = 1000;

    private final SwarmTable table;
    private final TrackerStats stats;
    private final RelayService relay;
    private final ObjectMapper json;
    private final long startedMillis;
    private final StatsAccess access;
    private final RateHistory announceRate;
    private final byte[] livePage;
    private final Map<String, CachedPage> pages = new HashMap<>();

    private record CachedPage(byte[] body, long builtMillis) {
    }

    /** @param access who sees which peer is in which swarm; everyone else sees the counts */
    public StatsHttpHandler(SwarmTable table, TrackerStats stats, RelayService relay, ObjectMapper json, long startedMillis,
                            StatsAccess access) {
        this.access = access;
        this.announceRate = new RateHistory(stats.announces::sum);
        this.livePage = loadPage();
        this.relay = relay;
        this.table = table;
        this.stats = stats;
        this.json = json;
        this.startedMillis = startedMillis;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception {
        if (request.decoderResult().isFailure()) {
            stats.httpRefused.increment();
            refuse(ctx, request.decoderResult().cause());
            return;
        }
        stats.httpRequests.increment();
        if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
            send(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain", bytes("GET only\n"));
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        boolean peers = access.showsPeersTo(ctx.channel().remoteAddress());
        String key = path + (peers ? "#peers" : "");
        switch (path) {
            case "/" -> send(ctx, request, HttpResponseStatus.OK, "text/html; charset=utf-8", livePage);
            case "/plain" -> send(ctx, request, HttpResponseStatus.OK, "text/html; charset=utf-8", page(key, () -> html(peers)));
            case "/stats" -> send(ctx, request, HttpResponseStatus.OK, "application/json", page(key,
                    () -> json.writerWithDefaultPrettyPrinter().writeValueAsString(statsJson(peers)) + "\n"));
            case "/metrics" -> send(ctx, request, HttpResponseStatus.OK, "text/plain; version=0.0.4", page(path, this::metrics));
            default -> send(ctx, request, HttpResponseStatus.NOT_FOUND, "text/plain",
                    bytes("not found; try /, /plain, /stats or /metrics\n"));
        }
    }

    /** Once a second, on the HTTP loop: the announce rate's history for the live page. */
    public void sample() {
        announceRate.sample();
    }

    private static byte[] loadPage() {
        try (var in = StatsHttpHandler.class.getResourceAsStream("page.html")) {
            if (in == null) {
                throw new IllegalStateException("page.html is missing from the tracker's jar");
            }
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read page.html: " + e.getMessage(), e);
        }
    }

    /** A request that did not parse: said so, and the connection closed, since what follows it cannot be trusted. */
    private static void refuse(ChannelHandlerContext ctx, Throwable cause) {
        HttpResponseStatus status = cause instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                : cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                : HttpResponseStatus.BAD_REQUEST;
        byte[] body = bytes(status.reasonPhrase() + "\n");
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, "close");
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            response.release();
            ctx.close();
        }
    }

    private interface PageBuilder {
        String build() throws Exception;
    }

    /** The page {@code path} names (and whether it shows peers), built afresh only when over a second old. */
    private byte[] page(String path, PageBuilder builder) throws Exception {
        long now = System.currentTimeMillis();
        CachedPage cached = pages.get(path);
        if (cached == null || now - cached.builtMillis() >= PAGE_MAX_AGE_MILLIS) {
            cached = new CachedPage(bytes(builder.build()), now);
            pages.put(path, cached);
        }
        return cached.body();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code peers}: each swarm's peers too (only for {@link StatsAccess} addresses). */
    private ObjectNode statsJson(boolean peers) {
        ObjectNode root = json.createObjectNode();
        root.put("uptimeSeconds", (System.currentTimeMillis() - startedMillis) / 1000);
        root.put("swarms", table.swarmCount());
        root.put("peers", table.peerCount());
        root.put("connects", stats.connects.sum());
        root.put("announces", stats.announces.sum());
        root.put("refused", stats.refused.sum());
        root.put("badConnectionIds", stats.badConnectionIds.sum());
        root.put("malformed", stats.malformed.sum());
        root.put("expired", stats.expired.sum());
        root.put("stunBindings", stats.stun.sum());
        root.put("punches", stats.punches.sum());
        root.put("birthdayPunches", stats.birthdays.sum());
        root.put("natRefused", stats.natRefused.sum());
        root.put("relaysOpened", stats.relaysOpened.sum());
        root.put("relaysActive", relay.active());
        root.put("relayedBytes", stats.relayedBytes.sum());
        root.put("relayDroppedDatagrams", stats.relayDropped.sum());
        ArrayNode rates = root.putArray("announcesPerSecond");
        for (long v : announceRate.values()) {
            rates.add(v);
        }
        ArrayNode swarms = root.putArray("swarmList");
        for (SwarmTable.SwarmSnapshot s : table.snapshot(PAGE_LIMIT, PAGE_LIMIT)) {
            ObjectNode node = swarms.addObject();
            node.put("swarm", s.swarmId().hex());
            node.put("seeders", s.seeders());
            node.put("leechers", s.leechers());
            if (peers) {
                ArrayNode list = node.putArray("peers");
                for (PeerEntry p : s.peers()) {
                    list.addObject().put("peer", p.peerId().shortHex()).put("endpoint",
                            p.endpoint().getAddress().getHostAddress() + ":" + p.endpoint().getPort()).put("seed", p.seed());
                }
            }
        }
        return root;
    }

    private String metrics() {
        StringBuilder out = new StringBuilder();
        gauge(out, "peerit_tracker_swarms", "Swarms in the table.", table.swarmCount());
        gauge(out, "peerit_tracker_peers", "Peer entries in the table.", table.peerCount());
        counter(out, "peerit_tracker_connects_total", "CONNECT requests answered.", stats.connects.sum());
        counter(out, "peerit_tracker_announces_total", "ANNOUNCE requests answered.", stats.announces.sum());
        counter(out, "peerit_tracker_refused_total", "Announces refused by a limit.", stats.refused.sum());
        counter(out, "peerit_tracker_bad_connection_ids_total", "Announces with an expired or forged connection id.", stats.badConnectionIds.sum());
        counter(out, "peerit_tracker_malformed_total", "Malformed datagrams dropped.", stats.malformed.sum());
        counter(out, "peerit_tracker_expired_total", "Peers expired for not re-announcing.", stats.expired.sum());
        counter(out, "peerit_tracker_http_requests_total", "HTTP requests served.", stats.httpRequests.sum());
        counter(out, "peerit_tracker_stun_bindings_total", "STUN Binding requests answered.", stats.stun.sum());
        counter(out, "peerit_tracker_punches_total", "Hole punches coordinated.", stats.punches.sum());
        counter(out, "peerit_tracker_birthday_punches_total", "Of the hole punches, birthday punches (one side's NAT"
                + " maps each destination anew).", stats.birthdays.sum());
        counter(out, "peerit_tracker_nat_refused_total", "Punch and relay requests refused.", stats.natRefused.sum());
        counter(out, "peerit_tracker_relays_opened_total", "Relay allocations opened.", stats.relaysOpened.sum());
        gauge(out, "peerit_tracker_relays_active", "Relay allocations open now.", relay.active());
        counter(out, "peerit_tracker_relayed_bytes_total", "Bytes forwarded by the relay.", stats.relayedBytes.sum());
        counter(out, "peerit_tracker_relay_dropped_total", "Datagrams the relay dropped over a pair's rate.", stats.relayDropped.sum());
        return out.toString();
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n").append(name).append(' ').append(value).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" counter\n").append(name).append(' ').append(value).append('\n');
    }

    private String html(boolean peers) {
        StringBuilder out = new StringBuilder();
        out.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>peerit tracker</title>")
                .append("<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;text-align:left}</style>")
                .append("</head><body><h1>peerit tracker</h1>")
                .append("<p>").append(table.swarmCount()).append(" swarms, ").append(table.peerCount())
                .append(" peers, ").append(stats.announces.sum()).append(" announces. ")
                .append("<a href=\"/stats\">/stats</a> <a href=\"/metrics\">/metrics</a></p>");
        for (SwarmTable.SwarmSnapshot s : table.snapshot(PAGE_LIMIT, PAGE_LIMIT)) {
            out.append("<h2><code>").append(s.swarmId().hex()).append("</code></h2><p>").append(s.seeders())
                    .append(" seeders, ").append(s.leechers()).append(" leechers</p>");
            if (!peers) {
                continue;
            }
            out.append("<table><tr><th>peer</th><th>endpoint</th><th>role</th></tr>");
            for (PeerEntry p : s.peers()) {
                out.append("<tr><td><code>").append(p.peerId().shortHex()).append("</code></td><td>")
                        .append(p.endpoint().getAddress().getHostAddress()).append(':').append(p.endpoint().getPort())
                        .append("</td><td>").append(p.seed() ? "seed" : "leech").append("</td></tr>");
            }
            out.append("</table>");
        }
        if (!peers) {
            out.append("<p>Which peers are in each swarm is shown only to the tracker's --stats-allow addresses.</p>");
        }
        return out.append("</body></html>\n").toString();
    }

    private static void send(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
                             String contentType, byte[] bytes) {
        boolean head = request.method().equals(HttpMethod.HEAD);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        var future = ctx.writeAndFlush(response);
        if (!keepAlive) {
            future.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
