package io.fomo.rmo.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import org.junit.jupiter.api.Test;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The hosting check's deny rule: addresses in and out of the ranges, IPv4, IPv6 and IPv4-mapped IPv6. */
class AddressFilterProperties {

    static final AddressFilter DEFAULT = AddressFilter.of(AddressFilter.DEFAULT_DENIED, List.of());

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByAddress(AddressFilter.literal(literal).orElseThrow());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] v4(int a, int b, int c, int d) {
        return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
    }

    /** The same IPv4 address written as ::ffff:a.b.c.d (16 bytes, not collapsed by InetAddress). */
    static byte[] mapped(byte[] v4) {
        byte[] a = new byte[16];
        a[10] = (byte) 0xff;
        a[11] = (byte) 0xff;
        System.arraycopy(v4, 0, a, 12, 4);
        return a;
    }

    @Test
    void theIssuesAddressesAreRefusedByDefault() {
        for (String denied : List.of("10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.254", "192.168.1.1",
                "127.0.0.1", "127.1.2.3", "169.254.169.254", "169.254.0.1", "0.0.0.0", "0.1.2.3", "100.64.0.1",
                "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "febf::1", "fc00::1", "fdff:ffff::1",
                "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254", "64:ff9b::a00:1", "ff02::1")) {
            assertThat(DEFAULT.permits(ip(denied))).as(denied).isFalse();
        }
        for (String public_ : List.of("1.1.1.1", "8.8.8.8", "172.15.255.255", "172.32.0.0", "192.167.255.255",
                "169.253.255.255", "11.0.0.0", "9.255.255.255", "2606:4700:4700::1111", "2a00:1450:4001::200e",
                "::ffff:8.8.8.8", "2620:fe::fe")) {
            assertThat(DEFAULT.permits(ip(public_))).as(public_).isTrue();
        }
    }

    @Test
    void theMetadataAddressIsNamed() {
        assertThat(DEFAULT.refusedBy(ip("169.254.169.254"))).get().hasToString("169.254.0.0/16");
        assertThat(DEFAULT.refusedBy(ip("8.8.8.8"))).isEmpty();
    }

    @Test
    void allowedRangesAreExceptions() {
        AddressFilter local = AddressFilter.of(AddressFilter.DEFAULT_DENIED, List.of("127.0.0.0/8", "::1/128"));
        assertThat(local.permits(ip("127.0.0.1"))).isTrue();
        assertThat(local.permits(ip("::1"))).isTrue();
        assertThat(local.permits(mapped(v4(127, 0, 0, 1)))).isTrue();
        assertThat(local.permits(ip("10.0.0.1"))).isFalse();
        assertThat(local.permits(ip("169.254.169.254"))).isFalse();
        AddressFilter off = AddressFilter.of(List.of("none"), List.of());
        assertThat(off.permits(ip("10.0.0.1"))).isTrue();
    }

    @Test
    void rangesAreParsedStrictly() {
        assertThat(AddressFilter.Cidr.parse("10.1.2.3/8")).isEqualTo(AddressFilter.Cidr.parse("10.0.0.0/8"));
        assertThat(AddressFilter.Cidr.parse("fe80::1")).hasToString("fe80:0:0:0:0:0:0:1/128");
        for (String bad : List.of("10.0.0.0/33", "::/129", "10.0.0.0/-1", "example.com/8", "10.0.0/8", "10.0.0.0/x", "")) {
            assertThatThrownBy(() -> AddressFilter.Cidr.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void literalsAreNeverResolved() {
        assertThat(AddressFilter.literal("localhost")).isEmpty();
        assertThat(AddressFilter.literal("example.com")).isEmpty();
        assertThat(AddressFilter.literal("[::1]")).isPresent();
        assertThat(AddressFilter.literal("1.2.3")).isEmpty();
    }

    // --- properties: membership agrees with the arithmetic definition of a prefix ---

    @Provide
    Arbitrary<byte[]> ipv4() {
        return Arbitraries.bytes().array(byte[].class).ofSize(4);
    }

    @Provide
    Arbitrary<byte[]> ipv6() {
        return Arbitraries.bytes().array(byte[].class).ofSize(16)
                .filter(a -> AddressFilter.normalise(a).length == 16);
    }

    static long v4Long(byte[] a) {
        return ((a[0] & 0xffL) << 24) | ((a[1] & 0xffL) << 16) | ((a[2] & 0xffL) << 8) | (a[3] & 0xffL);
    }

    @Property(tries = 1000)
    void anIpv4AddressIsInARangeExactlyWhenItsTopBitsMatch(@ForAll("ipv4") byte[] address, @ForAll("ipv4") byte[] network,
            @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 32) int prefix) throws Exception {
        String cidr = InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        AddressFilter deny = AddressFilter.of(List.of(cidr), List.of());
        long mask = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
        boolean inside = (v4Long(address) & mask) == (v4Long(network) & mask);
        assertThat(deny.permits(address)).isEqualTo(!inside);
        // the same address, IPv4-mapped in IPv6, is judged the same way
        assertThat(deny.permits(mapped(address))).isEqualTo(!inside);
    }

    @Property(tries = 1000)
    void anIpv6AddressIsInARangeExactlyWhenItsTopBitsMatch(@ForAll("ipv6") byte[] address, @ForAll("ipv6") byte[] network,
            @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 128) int prefix) throws Exception {
        String cidr = InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        AddressFilter deny = AddressFilter.of(List.of(cidr), List.of());
        java.math.BigInteger a = new java.math.BigInteger(1, address);
        java.math.BigInteger n = new java.math.BigInteger(1, network);
        boolean inside = a.shiftRight(128 - prefix).equals(n.shiftRight(128 - prefix));
        assertThat(deny.permits(address)).isEqualTo(!inside);
        // an IPv4 rule never matches a (non-mapped) IPv6 address and vice versa
        assertThat(AddressFilter.of(List.of("0.0.0.0/0"), List.of()).permits(address)).isTrue();
    }

    @Property(tries = 500)
    void everyAddressInADefaultPrivateRangeIsRefused(@ForAll("ipv4") byte[] any,
            @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 5) int which) {
        // put the random host part under one of the issue's ranges
        byte[] a = any.clone();
        switch (which) {
            case 0 -> a[0] = 10;
            case 1 -> { a[0] = (byte) 172; a[1] = (byte) (16 + (a[1] & 0x0f)); }
            case 2 -> { a[0] = (byte) 192; a[1] = (byte) 168; }
            case 3 -> a[0] = 127;
            case 4 -> { a[0] = (byte) 169; a[1] = (byte) 254; }
            default -> a[0] = 0;
        }
        assertThat(DEFAULT.permits(a)).isFalse();
        assertThat(DEFAULT.permits(mapped(a))).isFalse();
    }
}
