package io.docshift.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.docshift.error.InvalidRequest;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code {"index", "eq": {...}, "range": {"field", "gt"|"gte", "lt"|"lte"}, "order", "limit", "cursor"}}, read
 * strictly: an unknown key or a value of the wrong kind is a 400 naming it.
 */
public record QueryRequest(String index, Map<String, JsonNode> eq, Range range, boolean ascending, int limit, String cursor) {

    /** At most one range, on the index field after the equality prefix. */
    public record Range(String field, JsonNode lower, boolean lowerInclusive, JsonNode upper, boolean upperInclusive) {
    }

    private static final Set<String> KEYS = Set.of("index", "eq", "range", "order", "limit", "cursor");
    private static final Set<String> RANGE_KEYS = Set.of("field", "gt", "gte", "lt", "lte");

    public static QueryRequest from(JsonNode body) {
        if (!body.isObject()) {
            throw InvalidRequest.at("/", "a query is a JSON object with \"index\"");
        }
        body.fieldNames().forEachRemaining(k -> {
            if (!KEYS.contains(k)) {
                throw InvalidRequest.at("/" + k, "unknown key; a query has index, eq, range, order, limit and cursor");
            }
        });
        JsonNode index = body.get("index");
        if (index == null || !index.isTextual()) {
            throw InvalidRequest.at("/index", "required: the name of an index of this table");
        }
        Map<String, JsonNode> eq = new LinkedHashMap<>();
        JsonNode eqNode = body.get("eq");
        if (eqNode != null && !eqNode.isNull()) {
            if (!eqNode.isObject()) {
                throw InvalidRequest.at("/eq", "an object of field to value");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = eqNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                eq.put(e.getKey(), e.getValue());
            }
        }
        return new QueryRequest(index.textValue(), eq, range(body.get("range")), order(body.get("order")), limit(body.get("limit")), cursor(body.get("cursor")));
    }

    private static Range range(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject() || !node.path("field").isTextual()) {
            throw InvalidRequest.at("/range", "a range is {\"field\", \"gt\"|\"gte\", \"lt\"|\"lte\"}");
        }
        node.fieldNames().forEachRemaining(k -> {
            if (!RANGE_KEYS.contains(k)) {
                throw InvalidRequest.at("/range/" + k, "unknown key; a range has field, gt, gte, lt and lte");
            }
        });
        if (node.has("gt") && node.has("gte") || node.has("lt") && node.has("lte")) {
            throw InvalidRequest.at("/range", "at most one lower bound (gt or gte) and one upper bound (lt or lte)");
        }
        JsonNode lower = node.has("gt") ? node.get("gt") : node.get("gte");
        JsonNode upper = node.has("lt") ? node.get("lt") : node.get("lte");
        if (lower == null && upper == null) {
            throw InvalidRequest.at("/range", "a range needs a bound");
        }
        return new Range(node.get("field").textValue(), lower, node.has("gte"), upper, node.has("lte"));
    }

    private static boolean order(JsonNode node) {
        if (node == null || node.isNull() || "asc".equals(node.asText(null))) {
            return true;
        }
        if ("desc".equals(node.asText(null)) && node.isTextual()) {
            return false;
        }
        throw InvalidRequest.at("/order", "asc or desc");
    }

    private static int limit(JsonNode node) {
        if (node == null || node.isNull()) {
            return 100;
        }
        if (!node.isIntegralNumber() || node.asLong() < 1 || node.asLong() > 1000) {
            throw InvalidRequest.at("/limit", "an integer from 1 to 1000");
        }
        return node.asInt();
    }

    private static String cursor(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw InvalidRequest.at("/cursor", "a continueCursor from a previous page, or null");
        }
        return node.textValue().isEmpty() ? null : node.textValue();
    }
}
