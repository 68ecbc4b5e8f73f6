SELECT UserPrincipalName, max(TimeGenerated) AS TimeGenerated,
       arg_max(IPAddress, TimeGenerated) AS IPAddress,
       arg_max(AppDisplayName, TimeGenerated) AS AppDisplayName,
       arg_max(ResultType, TimeGenerated) AS ResultType
FROM SigninLogs
GROUP BY UserPrincipalName
