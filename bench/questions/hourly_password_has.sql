-- Kusto's has matches a whole term, case-insensitively: a word boundary
-- regular expression, so "Passwordless" does not match.
SELECT time_bucket(INTERVAL 1 hour, TimeGenerated) AS TimeGenerated, count(*) AS Count
FROM SigninLogs
WHERE regexp_matches(ResultDescription, '(?i)\bpassword\b')
GROUP BY 1
