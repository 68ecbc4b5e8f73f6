SELECT a.OperationName, a.Result, count(*) AS Events
FROM SigninLogs s
JOIN AuditLogs a ON s.CorrelationId = a.CorrelationId
WHERE s.ResultType <> '0'
GROUP BY a.OperationName, a.Result
