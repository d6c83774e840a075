package io.docshift.document.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.error.InvalidRequest;
import io.docshift.error.PayloadTooLarge;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static io.docshift.document.json.DocumentLimits.*;

/**
 * Parses request bodies into documents in one streaming pass, enforcing every limit on the way so that
 * a hostile body is refused as soon as it breaks one, with the JSON Pointer of the offending place.
 * Also refuses what Jackson accepts but PostgreSQL's {@code jsonb} does not (NUL characters, lone
 * surrogates, numbers beyond float64).
 */
public final class DocumentReader {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH + 2)
                    .maxNumberLength(1000)
                    .build())
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private DocumentReader() {
    }

    /** One document: the body must be a JSON object of at most {@link DocumentLimits#MAX_DOCUMENT_BYTES}. */
    public static ObjectNode readDocument(byte[] body) {
        if (body.length > MAX_DOCUMENT_BYTES) {
            throw tooLarge("/", body.length);
        }
        return parse(body, (p, path) -> readRootObject(p, path, "a document"));
    }

    /** A JSON Merge Patch (RFC 7396): an object whose {@code null} members remove fields. */
    public static ObjectNode readPatch(byte[] body) {
        if (body.length > MAX_DOCUMENT_BYTES) {
            throw tooLarge("/", body.length);
        }
        return parse(body, (p, path) -> readRootObject(p, path, "a merge patch"));
    }

    /** A batch: a JSON array of 1 to {@link DocumentLimits#MAX_BATCH_DOCUMENTS} documents. */
    public static List<ObjectNode> readBatch(byte[] body) {
        return parse(body, (p, path) -> {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_ARRAY) {
                throw InvalidRequest.at("/", "the body must be a JSON array of documents");
            }
            List<ObjectNode> docs = new ArrayList<>();
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (docs.size() == MAX_BATCH_DOCUMENTS) {
                    throw InvalidRequest.at("/" + docs.size(), "a batch holds at most " + MAX_BATCH_DOCUMENTS + " documents");
                }
                path.push(docs.size());
                if (t != JsonToken.START_OBJECT) {
                    throw InvalidRequest.at(path.render(), "each element must be a JSON object (a document)");
                }
                long start = p.currentTokenLocation().getByteOffset();
                ObjectNode doc = readObject(p, path, 1);
                long size = p.currentLocation().getByteOffset() - start;
                if (size > MAX_DOCUMENT_BYTES) {
                    throw tooLarge(path.render(), size);
                }
                docs.add(doc);
                path.pop();
            }
            if (docs.isEmpty()) {
                throw InvalidRequest.at("/", "a batch holds at least one document");
            }
            return docs;
        });
    }

    private interface Body<T> {
        T read(JsonParser p, JsonPath path) throws IOException;
    }

    private static <T> T parse(byte[] body, Body<T> reader) {
        if (body == null || body.length == 0) {
            throw InvalidRequest.at("/", "the request body is empty");
        }
        requireUtf8(body);
        JsonPath path = new JsonPath();
        try (JsonParser p = FACTORY.createParser(body)) {
            T result = reader.read(p, path);
            if (p.nextToken() != null) {
                throw InvalidRequest.at("/", "unexpected content after the end of the JSON value");
            }
            return result;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            String message = "malformed JSON: " + e.getOriginalMessage() + where;
            throw InvalidRequest.at(path.render(), message);
        } catch (IOException e) {
            throw InvalidRequest.at("/", "unreadable body: " + e.getMessage());
        }
    }

    /**
     * Refuses a body that is not well-formed UTF-8 (RFC 3629): Jackson's decoder is lenient about overlong forms
     * (C0 AF would be read as '/') and about surrogates, and what it let through would be stored as something
     * the client never sent.
     */
    static void requireUtf8(byte[] body) {
        int i = 0;
        while (i < body.length) {
            int b = body[i] & 0xFF;
            if (b < 0x80) {
                i++;
                continue;
            }
            int length;
            int min;
            int cp;
            if (b >= 0xC2 && b <= 0xDF) {
                length = 2;
                min = 0x80;
                cp = b & 0x1F;
            } else if (b >= 0xE0 && b <= 0xEF) {
                length = 3;
                min = 0x800;
                cp = b & 0x0F;
            } else if (b >= 0xF0 && b <= 0xF4) {
                length = 4;
                min = 0x10000;
                cp = b & 0x07;
            } else {
                throw notUtf8(i);
            }
            if (i + length > body.length) {
                throw notUtf8(i);
            }
            for (int k = 1; k < length; k++) {
                int c = body[i + k] & 0xFF;
                if ((c & 0xC0) != 0x80) {
                    throw notUtf8(i);
                }
                cp = (cp << 6) | (c & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                throw notUtf8(i); // overlong, beyond Unicode, or a surrogate
            }
            i += length;
        }
    }

    private static InvalidRequest notUtf8(int offset) {
        return InvalidRequest.at("/", "the body is not well-formed UTF-8 (byte " + offset + ")");
    }

    private static ObjectNode readRootObject(JsonParser p, JsonPath path, String what) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw InvalidRequest.at("/", "the body must be a JSON object (" + what + ")");
        }
        return readObject(p, path, 1);
    }

    private static JsonNode readValue(JsonParser p, JsonToken t, JsonPath path, int depth) throws IOException {
        return switch (t) {
            case START_OBJECT -> readObject(p, path, depth);
            case START_ARRAY -> readArray(p, path, depth);
            case VALUE_STRING -> NODES.textNode(checkedString(p.getText(), path));
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT, LONG -> NODES.numberNode(p.getLongValue());
                default -> NODES.numberNode(finite(p.getDoubleValue(), path));
            };
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(finite(p.getDoubleValue(), path));
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw InvalidRequest.at(path.render(), "unexpected JSON token " + t);
        };
    }

    private static ObjectNode readObject(JsonParser p, JsonPath path, int depth) throws IOException {
        checkDepth(path, depth);
        ObjectNode object = NODES.objectNode();
        int fields = 0;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            path.push(name);
            checkName(name, depth == 1, path);
            if (++fields > MAX_FIELDS_PER_OBJECT) {
                throw InvalidRequest.at(path.render(), "an object holds at most " + MAX_FIELDS_PER_OBJECT + " fields");
            }
            JsonNode value = readValue(p, p.nextToken(), path, depth + 1);
            if (object.replace(name, value) != null) {
                throw InvalidRequest.at(path.render(), "duplicate field name");
            }
            path.pop();
        }
        if (t != JsonToken.END_OBJECT) {
            throw InvalidRequest.at(path.render(), "malformed JSON object");
        }
        return object;
    }

    private static ArrayNode readArray(JsonParser p, JsonPath path, int depth) throws IOException {
        checkDepth(path, depth);
        ArrayNode array = NODES.arrayNode();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw InvalidRequest.at(path.render(), "malformed JSON: unterminated array");
            }
            if (array.size() == MAX_ARRAY_ELEMENTS) {
                path.push(array.size());
                throw InvalidRequest.at(path.render(), "an array holds at most " + MAX_ARRAY_ELEMENTS + " elements");
            }
            path.push(array.size());
            array.add(readValue(p, t, path, depth + 1));
            path.pop();
        }
        return array;
    }

    private static void checkDepth(JsonPath path, int depth) {
        if (depth > MAX_DEPTH) {
            throw InvalidRequest.at(path.render(), "nesting deeper than " + MAX_DEPTH + " levels");
        }
    }

    private static void checkName(String name, boolean topLevel, JsonPath path) {
        if (name.isEmpty()) {
            throw InvalidRequest.at(path.render(), "field names must not be empty");
        }
        int max = topLevel ? MAX_TOP_LEVEL_FIELD_NAME_LENGTH : MAX_FIELD_NAME_LENGTH;
        if (name.length() > max) {
            throw InvalidRequest.at(path.render(), "field names " + (topLevel ? "at the top level " : "")
                    + "are at most " + max + " characters long");
        }
        char first = name.charAt(0);
        if (first == '_' || first == '$') {
            throw InvalidRequest.at(path.render(), "field names starting with '_' or '$' are reserved");
        }
        checkedString(name, path);
    }

    /** PostgreSQL's jsonb cannot hold U+0000 nor unpaired surrogates: refuse them here as a 400. */
    private static String checkedString(String s, JsonPath path) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                throw InvalidRequest.at(path.render(), "the NUL character (\\u0000) cannot be stored");
            }
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
                if (!paired) {
                    throw InvalidRequest.at(path.render(), "unpaired UTF-16 surrogate in a string");
                }
                i++;
            }
        }
        return s;
    }

    private static double finite(double value, JsonPath path) {
        if (!Double.isFinite(value)) {
            throw InvalidRequest.at(path.render(), "number out of range: numbers are 64-bit floats or 64-bit integers");
        }
        return value;
    }

    private static PayloadTooLarge tooLarge(String path, long size) {
        return new PayloadTooLarge(path, "a document is at most " + MAX_DOCUMENT_BYTES + " bytes (1 MiB); this one has " + size);
    }
}
