package io.docshift.schema;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.docshift.error.InvalidRequest;

import java.io.IOException;
import java.util.Locale;

/** Reads schema documents, as JSON or YAML, refusing duplicate keys and absurd nesting. */
public final class SchemaDocuments {

    private static final StreamReadConstraints LIMITS = StreamReadConstraints.builder().maxNestingDepth(64).build();
    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder().streamReadConstraints(LIMITS).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final ObjectMapper YAML = YAMLMapper.builder(YAMLFactory.builder().streamReadConstraints(LIMITS).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private SchemaDocuments() {
    }

    /** Whether a Content-Type or file name says YAML. */
    public static boolean isYaml(String contentTypeOrFileName) {
        String s = contentTypeOrFileName == null ? "" : contentTypeOrFileName.toLowerCase(Locale.ROOT);
        return s.contains("yaml") || s.endsWith(".yml");
    }

    public static JsonNode read(byte[] body, boolean yaml) {
        if (body == null || body.length == 0) {
            throw InvalidRequest.at("/", "the request body is empty");
        }
        try {
            JsonNode node = (yaml ? YAML : JSON).readTree(body);
            if (node == null || node.isMissingNode()) {
                throw InvalidRequest.at("/", "the request body is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw InvalidRequest.at("/", "malformed " + (yaml ? "YAML" : "JSON") + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw InvalidRequest.at("/", "unreadable body: " + e.getMessage());
        }
    }
}
