package io.orderflow.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Every ERROR logged in this JVM (registered in logback-test.xml), so a test can say "and nothing was logged as an error". */
public final class ErrorLog extends AppenderBase<ILoggingEvent> {
  private static final List<String> errors = new CopyOnWriteArrayList<>();

  @Override
  protected void append(ILoggingEvent event) {
    if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
      errors.add(event.getLoggerName() + ": " + event.getFormattedMessage());
    }
  }

  /** How many errors so far; pass it to {@link #since} later. */
  public static int mark() {
    return errors.size();
  }

  /** The errors logged since {@code mark}. */
  public static List<String> since(int mark) {
    return List.copyOf(errors.subList(mark, errors.size()));
  }
}
