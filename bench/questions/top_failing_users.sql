SELECT UserPrincipalName, count(*) AS Failures
FROM SigninLogs
WHERE ResultType <> '0'
GROUP BY UserPrincipalName
ORDER BY Failures DESC, UserPrincipalName ASC
LIMIT 10
