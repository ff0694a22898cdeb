package clickledger.db.setting;

import static clickledger.db.jooq.Tables.SETTING;
import static java.util.Objects.requireNonNull;

import java.util.function.Supplier;
import org.jooq.DSLContext;

/** Installation-wide values that must agree across processes, such as the IP hashing salt. */
public final class SettingsRepository {
    public static final String IP_HASH_SALT = "ip_hash_salt";

    private final DSLContext dsl;

    public SettingsRepository(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    /** Returns the stored value, storing {@code initial} first when there is none (first writer wins). */
    public String getOrCreate(String key, Supplier<String> initial) {
        dsl.insertInto(SETTING)
                .set(SETTING.KEY, key)
                .set(SETTING.VALUE, initial.get())
                .onConflictDoNothing()
                .execute();
        return dsl.select(SETTING.VALUE)
                .from(SETTING)
                .where(SETTING.KEY.eq(key))
                .fetchSingle(SETTING.VALUE);
    }
}
