package com.sportswallet.ingress.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.sportswallet.contracts.CloudEventJson;

/**
 * JSON the database built for a read (json_agg, row_to_json), embedded in an answer as a tree: Jackson
 * escapes every string again when it writes the answer, so a provider-supplied value stays a value.
 */
final class DatabaseJson {
    private DatabaseJson() {
    }

    /** The tree of {@code json} (SQL NULL: JSON null). */
    static JsonNode tree(String json) {
        if (json == null) {
            return NullNode.getInstance();
        }
        try {
            return CloudEventJson.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the database returned JSON Jackson cannot read", e);
        }
    }
}
