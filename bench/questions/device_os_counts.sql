-- A missing property is an empty string in Kusto.
SELECT coalesce(json_extract_string(DeviceDetail, '$.operatingSystem'), '') AS OperatingSystem, count(*) AS Count
FROM SigninLogs
GROUP BY 1
