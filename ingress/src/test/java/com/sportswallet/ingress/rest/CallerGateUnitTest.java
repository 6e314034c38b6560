package com.sportswallet.ingress.rest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class CallerGateUnitTest {
    private static CallerGate gate(String... cidrs) {
        CallerGate g = new CallerGate();
        g.allowedCidrs = cidrs.length == 0 ? Optional.empty() : Optional.of(List.of(cidrs));
        g.configure();
        return g;
    }

    private static InetSocketAddress at(String ip) {
        return new InetSocketAddress(ip, 40000);
    }

    @Test
    void noListAllowsEveryone() {
        assertTrue(gate().allows(at("203.0.113.7")));
    }

    @Test
    void onlyAddressesInsideTheBlocksAreAllowed() {
        CallerGate g = gate("203.0.113.0/24", "2001:db8::/32");
        assertTrue(g.allows(at("203.0.113.200")));
        assertFalse(g.allows(at("203.0.114.1")));
        assertTrue(g.allows(at("2001:db8::1")));
        assertFalse(g.allows(at("2001:db9::1")));
        assertFalse(g.allows(at("127.0.0.1")));
    }

    @Test
    void aBadBlockFailsTheStart() {
        assertThrows(IllegalStateException.class, () -> gate("203.0.113.0"));
        assertThrows(IllegalStateException.class, () -> gate("not-an-address/8"));
        assertThrows(IllegalStateException.class, () -> gate("203.0.113.0/33"));
    }
}
