package clickledger.api.admin;

import clickledger.api.person.Person;
import clickledger.common.id.Ulid;
import java.time.Instant;

/** An admin as the api shows one: {@code {id, email, name, createdAt, lastLoginAt}}. */
public record AdminView(String id, String email, String name, Instant createdAt, Instant lastLoginAt) {
    public static AdminView of(Person person) {
        return new AdminView(
                Ulid.encode(person.id()), person.email(), person.name(), person.createdAt(), person.lastLoginAt());
    }
}
