package com.sportswallet.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** Loadgen's spreading of requests over several ingresses (--ingress URL,URL), without services. */
class IngressUrlsTest {
    private static final String A = "http://127.0.0.1:8080";
    private static final String B = "http://127.0.0.1:8180";

    @Test
    void oneUrlStaysTheDefaultAndTheUrlOptionStillWorks() {
        LoadGenOptions defaults = LoadGenOptions.parse(new String[0]);
        assertEquals(List.of(A), defaults.ingresses.all());
        assertEquals(A, defaults.url);

        LoadGenOptions url = LoadGenOptions.parse(new String[] { "--url", "http://10.0.0.1:9000//" });
        assertEquals(List.of("http://10.0.0.1:9000"), url.ingresses.all());
        assertEquals("http://10.0.0.1:9000", url.url);
        for (int i = 0; i < 5; i++) {
            assertEquals("http://10.0.0.1:9000", url.ingresses.next());
        }
    }

    @Test
    void theIngressOptionTakesSeveralUrls() {
        LoadGenOptions o = LoadGenOptions.parse(new String[] { "--ingress", A + "/, " + B });
        assertEquals(List.of(A, B), o.ingresses.all());
        assertEquals(A, o.url, "the log header's url is the first");
        assertEquals(A + "," + B, o.json().get("ingress").asText());

        MakeBench.Options bench = MakeBench.parse(new String[] { "--ingress", A + "," + B });
        assertEquals(List.of(A, B), bench.ingresses.all());
    }

    @Test
    void badUrlListsAreRefused() {
        for (String bad : List.of("", A + ",", A + ",," + B, A + "," + A, "ftp://x:1", "not a url", "127.0.0.1:8080")) {
            assertThrows(IllegalArgumentException.class, () -> IngressUrls.parse("--ingress", bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> LoadGenOptions.parse(new String[] { "--url", A + "," + B }),
                "several URLs go to --ingress, not --url");
    }

    @Test
    void requestsGoRoundRobinSoEachUrlGetsItsShareAndARetryMovesOn() {
        IngressUrls urls = IngressUrls.parse("--ingress", A + "," + B + ",http://127.0.0.1:8280");
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            sent.add(urls.next());
        }
        for (int i = 1; i < sent.size(); i++) {
            assertNotEquals(sent.get(i - 1), sent.get(i), "the next request (a retry too) goes to the next ingress");
        }
        for (String u : urls.all()) {
            assertEquals(100, Collections.frequency(sent, u));
        }
        assertEquals(100, urls.requests(0));
        assertEquals(A + " 100, " + B + " 100, http://127.0.0.1:8280 100", urls.shares());
    }

    @Test
    void threadsShareOneTurnSoTheSharesStayEqual() throws Exception {
        IngressUrls urls = IngressUrls.parse("--ingress", A + "," + B);
        int threads = 8;
        int perThread = 10_000;
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    urls.nextIndex();
                }
            });
            th.start();
            started.add(th);
        }
        for (Thread th : started) {
            th.join();
        }
        assertEquals(threads * perThread / 2, urls.requests(0));
        assertEquals(threads * perThread / 2, urls.requests(1));
    }

    /** A transport over fake ones, one per URL, that record the paths they got; the URLs in {@code down} refuse every connection. */
    private static Transport spread(IngressUrls urls, ConcurrentHashMap<String, List<String>> reached, List<String> down) {
        return new Transport.Spread(urls, i -> (path, body) -> {
            String url = urls.get(i);
            reached.computeIfAbsent(url, k -> Collections.synchronizedList(new ArrayList<>())).add(path);
            return down.contains(url) ? Transport.Reply.failed(Transport.IO_ERROR) : new Transport.Reply(200, "{}".getBytes(), null);
        });
    }

    @Test
    void aCallbackRetriedAfterAnIngressDiedReachesTheOtherOne() {
        IngressUrls urls = IngressUrls.parse("--ingress", A + "," + B);
        ConcurrentHashMap<String, List<String>> reached = new ConcurrentHashMap<>();
        // Ingress A is down (connection refused): every attempt that goes to it fails.
        Transport transport = spread(urls, reached, List.of(A));
        FlowPlan.Call make = FlowPlan.generate(LoadGenOptions.parse(new String[] { "--duplicate-percent", "0" }), 1).get(0)
                .steps().get(0).calls().get(0);
        assertEquals(FlowPlan.MAKE, make.endpoint);
        make.body = "{}".getBytes();
        LoadStats stats = new LoadStats();
        Delivery delivery = new Delivery(5, 1, stats, null);
        AtomicInteger ok = new AtomicInteger();
        for (int i = 0; i < 10; i++) {
            Delivery.Outcome out = delivery.deliver(transport, make);
            assertEquals(200, out.status(), "a retry reached the live ingress");
            assertTrue(out.attempts() <= 2, "at most one attempt on the dead ingress: " + out.attempts());
            ok.incrementAndGet();
        }
        assertEquals(10, ok.get());
        assertEquals(10, reached.get(B).size(), "every callback ended on the live ingress");
        assertEquals(urls.requests(0), reached.getOrDefault(A, List.of()).size());
        assertTrue(urls.requests(0) >= 5, "the dead one kept its turn, as a load balancer without health checks would");
        transport.close();
    }

    @Test
    void oneUrlNeedsNoSpreadButIsCounted() {
        IngressUrls one = IngressUrls.parse("--url", A);
        Transport t = Transport.create("raw", null, one, Duration.ofSeconds(1));
        assertTrue(t instanceof Transport.Counted);
        t.close();
        IngressUrls two = IngressUrls.parse("--ingress", A + "," + B);
        Transport s = Transport.create("raw", null, two, Duration.ofSeconds(1));
        assertTrue(s instanceof Transport.Spread);
        s.close();
    }
}
