package io.orderflow.infra;

/**
 * Marker for everything that crosses the journal or the cluster: bound to Jackson CBOR in
 * serialization.conf, so no Java serialization is ever used.
 */
public interface CborSerializable {}
