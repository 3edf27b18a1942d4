/**
 * Denies logins from countries listed in the BLOCKED_COUNTRIES secret
 * (comma-separated ISO alpha-2 codes). Needs geoip.database to be set;
 * without it event.request.geoip is {} and nobody is denied.
 */
exports.onExecutePostLogin = async (event, api) => {
  const blocked = (event.secrets.BLOCKED_COUNTRIES || '').split(',').map((c) => c.trim());
  const country = event.request.geoip.countryCode;
  if (country && blocked.includes(country)) {
    api.access.deny(`Logins from ${country} are not allowed.`);
  }
};
