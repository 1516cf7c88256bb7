package io.orderflow.infra;

import static io.orderflow.infra.EnvironmentVariables.env;

import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * {@code --db-user} and {@code --db-password} of the commands that connect to the database
 * themselves ({@code bench}, {@code rebuild-read-model}), defaulting to DB_USER and DB_PASSWORD
 * as a node does. A picocli mixin: {@code @Mixin DatabaseLogin login}.
 */
public final class DatabaseLogin {
  @Option(names = "--db-user", description = "default: DB_USER or ${DEFAULT-VALUE}")
  String user = env("DB_USER", "postgres");

  @Option(names = "--db-password", description = "default: DB_PASSWORD")
  String password = env("DB_PASSWORD", "");

  /** JDBC connection properties carrying this login. */
  public Properties properties() {
    Properties props = new Properties();
    props.setProperty("user", user);
    if (password != null && !password.isEmpty()) props.setProperty("password", password);
    return props;
  }
}
