package paxos.launcher;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader for the tests (status, bundles.json, components.json): objects become
 * LinkedHashMaps, arrays Lists, numbers Long or Double. Throws IllegalArgumentException on bad input.
 */
final class MiniJson {
  private final String text;
  private int pos;

  private MiniJson(String text) {
    this.text = text;
  }

  static Object parse(String text) {
    MiniJson reader = new MiniJson(text);
    Object value = reader.value();
    reader.space();
    if (reader.pos != text.length()) {
      throw reader.error("trailing characters");
    }
    return value;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(String text) {
    return (Map<String, Object>) parse(text);
  }

  /** Follows keys (String) and list indexes (Integer) from {@code root}; null if absent. */
  @SuppressWarnings("unchecked")
  static Object at(Object root, Object... path) {
    Object current = root;
    for (Object step : path) {
      if (current instanceof Map<?, ?> map && step instanceof String key) {
        current = map.get(key);
      } else if (current instanceof List<?> list && step instanceof Integer index && index < list.size()) {
        current = list.get(index);
      } else {
        return null;
      }
    }
    return current;
  }

  private Object value() {
    space();
    if (pos >= text.length()) {
      throw error("unexpected end");
    }
    char c = text.charAt(pos);
    switch (c) {
      case '{' -> {
        pos++;
        Map<String, Object> map = new LinkedHashMap<>();
        space();
        if (peek('}')) {
          return map;
        }
        do {
          space();
          String key = string();
          space();
          expect(':');
          map.put(key, value());
          space();
        } while (peek(','));
        expect('}');
        return map;
      }
      case '[' -> {
        pos++;
        List<Object> list = new ArrayList<>();
        space();
        if (peek(']')) {
          return list;
        }
        do {
          list.add(value());
          space();
        } while (peek(','));
        expect(']');
        return list;
      }
      case '"' -> {
        return string();
      }
      default -> {
        return literal();
      }
    }
  }

  private Object literal() {
    int start = pos;
    while (pos < text.length() && "{}[],: \t\r\n".indexOf(text.charAt(pos)) < 0) {
      pos++;
    }
    String word = text.substring(start, pos);
    switch (word) {
      case "true" -> {
        return Boolean.TRUE;
      }
      case "false" -> {
        return Boolean.FALSE;
      }
      case "null" -> {
        return null;
      }
      default -> {
        try {
          return word.matches("-?\\d+") ? (Object) Long.parseLong(word) : (Object) Double.parseDouble(word);
        } catch (NumberFormatException e) {
          throw error("bad literal '" + word + "'");
        }
      }
    }
  }

  private String string() {
    expect('"');
    StringBuilder out = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        throw error("unterminated string");
      }
      char c = text.charAt(pos++);
      if (c == '"') {
        return out.toString();
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = text.charAt(pos++);
      switch (e) {
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'u' -> {
          out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
          pos += 4;
        }
        default -> out.append(e);
      }
    }
  }

  private void space() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private boolean peek(char c) {
    if (pos < text.length() && text.charAt(pos) == c) {
      pos++;
      return true;
    }
    return false;
  }

  private void expect(char c) {
    if (!peek(c)) {
      throw error("expected '" + c + "'");
    }
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(what + " at " + pos + " in: "
        + text.substring(Math.max(0, pos - 40), Math.min(text.length(), pos + 40)));
  }
}
