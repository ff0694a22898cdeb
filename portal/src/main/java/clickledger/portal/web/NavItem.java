package clickledger.portal.web;

/**
 * One entry of a navigation menu. {@code section} ties pages to the entry that is highlighted
 * while they show ({@code aria-current="page"}).
 */
public record NavItem(String label, String href, String section) {}
