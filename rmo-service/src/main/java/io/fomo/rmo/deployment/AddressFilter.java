package io.fomo.rmo.deployment;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Which addresses the hosting check may connect to (issue #17: "a configurable deny-list of private, loopback and
 * link-local ranges"). Plain Java, no DNS: the caller resolves the host name and asks about EVERY address it resolves
 * to; the check then connects to one of those addresses (never resolving again).
 *
 * <p>An address is permitted when it lies in an allowed range (the exceptions, e.g. the local demo's
 * {@code 127.0.0.0/8}), or in no denied range. IPv4-mapped ({@code ::ffff:a.b.c.d}) and IPv4-compatible
 * ({@code ::a.b.c.d}) IPv6 addresses are judged as the IPv4 address they carry, so {@code ::ffff:10.0.0.1} is
 * as private as {@code 10.0.0.1}.
 */
public final class AddressFilter {

    /**
     * The default deny-list: "this network", private, carrier-grade NAT, loopback, link-local (and with it the cloud
     * metadata address 169.254.169.254), IETF protocol assignments, benchmarking, multicast, reserved and broadcast;
     * IPv6 unspecified, loopback, unique-local, link-local, site-local, multicast, NAT64 and 6to4 (both embed IPv4
     * addresses of any kind), and Teredo.
     */
    public static final List<String> DEFAULT_DENIED = List.of(
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
            "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
            "::/128", "::1/128", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8", "64:ff9b::/96", "64:ff9b:1::/48",
            "2001::/32", "2001:db8::/32", "2002::/16");

    /** One address range: a network address and a prefix length (IPv4: 4 bytes, IPv6: 16). */
    public record Cidr(byte[] network, int prefix) {

        /** Parses {@code a.b.c.d/n} or {@code x:y::z/n}; a bare address is a /32 or /128. */
        public static Cidr parse(String text) {
            String t = text.trim();
            int slash = t.indexOf('/');
            String addr = slash < 0 ? t : t.substring(0, slash);
            byte[] bytes = literal(addr).orElseThrow(() -> new IllegalArgumentException("not an IP range: " + text));
            int prefix;
            try {
                prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an IP range: " + text);
            }
            if (prefix < 0 || prefix > bytes.length * 8) {
                throw new IllegalArgumentException("prefix out of range in " + text);
            }
            return new Cidr(mask(bytes, prefix), prefix);
        }

        /** Whether {@code address} (4 or 16 bytes, already normalised) lies in this range. */
        public boolean contains(byte[] address) {
            return address.length == network.length && Arrays.equals(mask(address, prefix), network);
        }

        private static byte[] mask(byte[] a, int prefix) {
            byte[] m = a.clone();
            for (int i = 0; i < m.length; i++) {
                int bits = Math.max(0, Math.min(8, prefix - i * 8));
                m[i] = (byte) (m[i] & (0xff00 >> bits));
            }
            return m;
        }

        @Override
        public String toString() {
            try {
                return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
            } catch (UnknownHostException e) {
                return Arrays.toString(network) + "/" + prefix;
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(network) * 31 + prefix;
        }
    }

    private final List<Cidr> denied;
    private final List<Cidr> allowed;

    public AddressFilter(List<Cidr> denied, List<Cidr> allowed) {
        this.denied = List.copyOf(denied);
        this.allowed = List.copyOf(allowed);
    }

    /** From configuration text: comma-separated CIDRs; {@code none} (or nothing) for an empty list. */
    public static AddressFilter of(List<String> denied, List<String> allowed) {
        return new AddressFilter(ranges(denied), ranges(allowed));
    }

    private static List<Cidr> ranges(List<String> texts) {
        List<Cidr> out = new ArrayList<>();
        if (texts != null) {
            for (String t : texts) {
                if (!t.isBlank() && !"none".equalsIgnoreCase(t.trim())) {
                    out.add(Cidr.parse(t));
                }
            }
        }
        return out;
    }

    /** Whether the check may connect to {@code address}. */
    public boolean permits(InetAddress address) {
        return permits(address.getAddress());
    }

    /** Whether the check may connect to the address of these bytes (4 or 16). */
    public boolean permits(byte[] address) {
        byte[] a = normalise(address);
        return in(allowed, a) || !in(denied, a);
    }

    /** The denied range that refuses {@code address}, if any (for the check's detail). */
    public Optional<Cidr> refusedBy(InetAddress address) {
        byte[] a = normalise(address.getAddress());
        if (in(allowed, a)) {
            return Optional.empty();
        }
        return denied.stream().filter(c -> c.contains(a)).findFirst();
    }

    private static boolean in(List<Cidr> ranges, byte[] a) {
        for (Cidr c : ranges) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /** An IPv4-mapped ({@code ::ffff:0:0/96}) or -compatible ({@code ::/96}, not :: or ::1) address → its IPv4 bytes. */
    static byte[] normalise(byte[] a) {
        if (a.length != 16) {
            return a;
        }
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return a;
            }
        }
        boolean mapped = a[10] == (byte) 0xff && a[11] == (byte) 0xff;
        boolean compatible = a[10] == 0 && a[11] == 0 && (a[12] != 0 || a[13] != 0);
        return mapped || compatible ? Arrays.copyOfRange(a, 12, 16) : a;
    }

    /** The bytes of an IP literal (no DNS lookup), or empty if {@code text} is not one; {@code [..]} brackets allowed. */
    public static Optional<byte[]> literal(String text) {
        String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (t.isEmpty() || !(t.contains(":") || t.matches("[0-9.]+"))) {
            return Optional.empty();
        }
        if (!t.contains(":") && !t.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return Optional.empty();
        }
        if (t.contains("%")) {
            return Optional.empty(); // a zone id: never a valid target
        }
        try {
            return Optional.of(InetAddress.getByName(t).getAddress()); // a literal: parsed, not resolved
        } catch (UnknownHostException | RuntimeException e) {
            return Optional.empty();
        }
    }

    public List<Cidr> denied() {
        return denied;
    }

    public List<Cidr> allowed() {
        return allowed;
    }
}
