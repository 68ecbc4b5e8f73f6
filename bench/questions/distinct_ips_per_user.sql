SELECT UserPrincipalName, count(DISTINCT IPAddress) AS DistinctIPs, list(DISTINCT IPAddress) AS IPs
FROM SigninLogs
GROUP BY UserPrincipalName
