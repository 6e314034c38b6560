package com.sportswallet.loadgen;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The ingress base URLs a run sends to ({@code --ingress URL,URL,...}; {@code --url URL} is the one-URL
 * case), spread as a provider's load balancer would: every request, each retry of a callback and each
 * operator call included, goes to the next URL in turn, one turn shared by every thread (round-robin),
 * so the URLs get equal shares and a retry usually reaches another ingress than the attempt it repeats.
 * Counts the requests each URL was given.
 */
final class IngressUrls {
    /** At most this many URLs (scripts/up starts at most 9 replicas). */
    static final int URLS_LIMIT = 64;

    private final List<String> urls;
    private final AtomicLong turn = new AtomicLong();
    private final LongAdder[] requests;

    private IngressUrls(List<String> urls) {
        this.urls = List.copyOf(urls);
        this.requests = new LongAdder[urls.size()];
        for (int i = 0; i < requests.length; i++) {
            requests[i] = new LongAdder();
        }
    }

    /**
     * {@code text}: one base URL or several, comma-separated (blanks around each ignored, trailing
     * slashes dropped); each http or https with a host, none twice.
     *
     * @throws IllegalArgumentException naming {@code option} otherwise
     */
    static IngressUrls parse(String option, String text) {
        Set<String> urls = new LinkedHashSet<>();
        for (String part : text.split(",", -1)) {
            String url = part.strip().replaceAll("/+$", "");
            if (url.isEmpty()) {
                throw new IllegalArgumentException(option + " takes URL[,URL...] with no empty entry: " + text);
            }
            check(option, url);
            if (!urls.add(url)) {
                throw new IllegalArgumentException(option + " names " + url + " twice: " + text);
            }
        }
        if (urls.size() > URLS_LIMIT) {
            throw new IllegalArgumentException(option + " takes at most " + URLS_LIMIT + " URLs: " + urls.size());
        }
        return new IngressUrls(new ArrayList<>(urls));
    }

    private static void check(String option, String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(option + ": not a URL: " + url);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException(option + ": an http(s)://host[:port] base URL is needed: " + url);
        }
    }

    int size() {
        return urls.size();
    }

    String get(int index) {
        return urls.get(index);
    }

    String first() {
        return urls.get(0);
    }

    List<String> all() {
        return urls;
    }

    /** The index of the URL the next request goes to (and counts it there). */
    int nextIndex() {
        int i = (int) Math.floorMod(turn.getAndIncrement(), (long) urls.size());
        requests[i].increment();
        return i;
    }

    /** The URL the next request goes to. */
    String next() {
        return urls.get(nextIndex());
    }

    /** Requests given to URL {@code index} so far. */
    long requests(int index) {
        return requests[index].sum();
    }

    /** {@code URL n, URL n, ...}: the requests each URL was given. */
    String shares() {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < urls.size(); i++) {
            parts.add(urls.get(i) + " " + requests(i));
        }
        return String.join(", ", parts);
    }

    @Override
    public String toString() {
        return String.join(",", urls);
    }
}
