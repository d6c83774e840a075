package io.docshift.migration.cel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.primitives.UnsignedLong;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON values as CEL sees them, and back: objects are maps, arrays lists, every number a double (as in JSON),
 * null CEL's null. A double that is a whole number comes back as a JSON integer, so {@code 1500.0} is stored
 * as {@code 1500}, as PostgreSQL gives it when the expression runs in SQL.
 */
final class CelJson {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final double EXACT_INTEGERS = 9_007_199_254_740_992d; // 2^53

    private CelJson() {
    }

    static Object toCel(JsonNode n) {
        if (n.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                m.put(f.getKey(), toCel(f.getValue()));
            }
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>(n.size());
            n.forEach(e -> l.add(toCel(e)));
            return l;
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        return dev.cel.common.values.NullValue.NULL_VALUE;
    }

    static JsonNode fromCel(Object v) {
        if (v instanceof String s) {
            return JSON.textNode(s);
        }
        if (v instanceof Boolean b) {
            return JSON.booleanNode(b);
        }
        if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                throw new CelExpression.Failure("the value " + d + " has no JSON form");
            }
            if (d == Math.rint(d) && Math.abs(d) < EXACT_INTEGERS) {
                return JSON.numberNode(d.longValue());
            }
            return JSON.numberNode(new BigDecimal(Double.toString(d)).stripTrailingZeros());
        }
        if (v instanceof Long l) {
            return JSON.numberNode(l);
        }
        if (v instanceof UnsignedLong u) {
            return JSON.numberNode(u.bigIntegerValue());
        }
        if (v instanceof dev.cel.common.values.NullValue || v instanceof com.google.protobuf.NullValue) {
            return JSON.nullNode();
        }
        if (v instanceof List<?> list) {
            ArrayNode a = JSON.arrayNode(list.size());
            list.forEach(e -> a.add(fromCel(e)));
            return a;
        }
        if (v instanceof Map<?, ?> map) {
            ObjectNode o = JSON.objectNode();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new CelExpression.Failure("a map with a key of type " + e.getKey().getClass().getSimpleName() + " has no JSON form");
                }
                o.set(key, fromCel(e.getValue()));
            }
            return o;
        }
        throw new CelExpression.Failure("a value of type " + (v == null ? "null" : v.getClass().getSimpleName()) + " has no JSON form");
    }
}
