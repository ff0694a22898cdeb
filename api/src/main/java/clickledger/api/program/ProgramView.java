package clickledger.api.program;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * A program as the routes show it: its fields, whether it has events yet, so an edit form can
 * show the currency read-only before the admin tries to change it (the PATCH's 409 stays the rule),
 * and the path of its logo (null without one).
 */
public record ProgramView(@JsonUnwrapped Program program, boolean hasEvents, String logoUrl) {}
