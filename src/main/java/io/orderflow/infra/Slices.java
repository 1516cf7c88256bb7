package io.orderflow.infra;

/**
 * The journal's tag slices: every event of one persistence id carries the same tag
 * "slice-N", so one publisher projection per slice sees each aggregate's events in order.
 * The number of slices is fixed for the life of a journal.
 */
public final class Slices {
  public static final String TAG_PREFIX = "slice-";

  private Slices() {}

  public static String tagFor(String persistenceId, int slices) {
    return TAG_PREFIX + Math.floorMod(persistenceId.hashCode(), slices);
  }
}
