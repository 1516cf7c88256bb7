package io.orderflow.order;

/**
 * Text a client may send: no control characters (NUL included), no unpaired UTF-16 surrogates.
 * Both would otherwise pass JSON parsing and fail later, far from the edge: PostgreSQL refuses
 * NUL in text, and a lone surrogate cannot be encoded as UTF-8 (CBOR, NATS, the read model).
 */
public final class Text {
  private Text() {}

  /** What is wrong with {@code s} as client text, or null when nothing is. */
  public static String problem(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c)) return "holds control characters";
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return "holds an unpaired UTF-16 surrogate (invalid Unicode)";
        }
      } else if (Character.isLowSurrogate(c)) {
        return "holds an unpaired UTF-16 surrogate (invalid Unicode)";
      }
    }
    return null;
  }

  /** {@code s} safe to quote in an error message: bad characters as {@code \\uXXXX}, at most 64 characters. */
  public static String quote(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length() && out.length() < 64; i++) {
      char c = s.charAt(i);
      boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
      if (paired) {
        out.append(c).append(s.charAt(++i));
      } else if (Character.isISOControl(c) || Character.isSurrogate(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.length() < 64 ? out.toString() : out + "…";
  }
}
