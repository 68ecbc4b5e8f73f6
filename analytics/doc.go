// Package analytics groups huntbook's detection and analysis helpers over
// KQL results: analytics rules (analytics/rules) and charts and time series
// (analytics/charts). The packages here use kql and gonum, never the kernel.
package analytics
