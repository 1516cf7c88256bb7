package io.orderflow.infra;

import org.apache.pekko.NotUsed;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.jdbc.config.ReadJournalConfig;
import org.apache.pekko.persistence.jdbc.query.dao.DefaultReadJournalDao;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.scaladsl.Source;
import scala.Tuple3;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.util.Try;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;

/**
 * pekko-persistence-jdbc's read-journal DAO, without the query that cannot find anything.
 *
 * <p>Each poll of a live {@code eventsByTag} asks for the events of one tag with {@code offset <
 * ordering <= maxOrdering}, where {@code maxOrdering} is the highest ordering the journal holds
 * without gaps. A poll that found nothing moves {@code offset} up to that {@code maxOrdering}, and
 * the plugin queries again unless {@code maxOrdering} fell below it: on an idle journal every poll
 * of every tag slice is a round trip for an empty range. Here an empty range answers at once,
 * without the database.
 */
public final class EmptyRangeReadJournalDao extends DefaultReadJournalDao {

  public EmptyRangeReadJournalDao(JdbcBackend.JdbcDatabaseDef db, JdbcProfile profile, ReadJournalConfig config,
      Serialization serialization, ExecutionContext ec, Materializer mat) {
    super(db, profile, config, serialization, ec, mat);
  }

  @Override
  public Source<Try<Tuple3<PersistentRepr, Set<String>, Object>>, NotUsed> eventsByTag(
      String tag, long offset, long maxOffset, long max) {
    if (offset >= maxOffset) return Source.empty();
    return super.eventsByTag(tag, offset, maxOffset, max);
  }
}
