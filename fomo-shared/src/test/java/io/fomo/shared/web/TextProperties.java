package io.fomo.shared.web;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;

/** {@link Text}: which strings every input field refuses, over many cases. */
class TextProperties {

    @Property
    void printableTextWithinTheBoundIsAccepted(@ForAll @StringLength(max = 200) @CharRange(from = ' ', to = '~') String text) {
        assertThat(Text.problem(text)).isNull();
    }

    @Property
    void anyControlCharacterAnywhereIsRefused(@ForAll @StringLength(max = 50) @CharRange(from = ' ', to = '~') String before,
            @ForAll @IntRange(min = 0, max = 0x9f) int code, @ForAll @StringLength(max = 50) @CharRange(from = 'a', to = 'z') String after) {
        boolean control = code < 0x20 || code >= 0x7f;
        String text = before + (char) code + after;
        if (control) {
            assertThat(Text.problem(text)).contains("control character").contains(String.format("U+%04X", code));
        } else {
            assertThat(Text.problem(text)).isNull();
        }
    }

    @Property
    void lengthIsBounded(@ForAll @IntRange(min = 0, max = 300) int length, @ForAll @IntRange(min = 1, max = 200) int max) {
        String text = "a".repeat(length);
        assertThat(Text.problem(text, max) == null).isEqualTo(length <= max);
    }

    @Property
    void surrogatePairsAreFineAndLoneSurrogatesAreNot(@ForAll @IntRange(min = 0x10000, max = 0x10FFFF) int codePoint) {
        String pair = new String(Character.toChars(codePoint));
        assertThat(Text.problem("a" + pair + "b")).isNull();
        assertThat(Text.problem("a" + pair.charAt(0) + "b")).contains("surrogate");
        assertThat(Text.problem("a" + pair.charAt(1))).contains("surrogate");
    }
}
