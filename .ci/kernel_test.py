"""jupyter_kernel_test run against the installed huntbook kernel.

Every sample attribute is set so that no test is skipped; .ci/e2e-kernel.sh
fails the run if any is. Samples are KQL run on the embedded engine's
built-in sample tenant, except where only a magic can do it (KQL has no
stdout or stderr, so those use %echo).
"""

import unittest

import jupyter_kernel_test as jkt


class HuntbookKernelTests(jkt.KernelTests):
    kernel_name = "huntbook"
    language_name = "kql"
    file_extension = ".kql"

    code_hello_world = "%echo hello, world"
    code_stderr = "%echo --stderr something went wrong"

    completion_samples = [
        {"text": "SigninL", "matches": {"SigninLogs"}},
        {"text": "SigninLogs | whe", "matches": {"where"}},
        {"text": "SigninLogs | where UserPrinc", "matches": {"UserPrincipalName"}},
        {"text": "print strca", "matches": {"strcat", "strcat_array", "strcat_delim"}},
        {"text": "%ec", "matches": {"%echo"}},
        {"text": "%%ma", "matches": {"%%markdown"}},
        {"text": "%h", "matches": {"%history", "%%html"}},
    ]

    complete_code_samples = [
        "%echo hi",
        "%lsmagic",
        "SecurityEvent | take 10",
        "let threshold = 5;\nSigninLogs | where ResultType != 0",
        "%%markdown\n# notes (unbalanced is fine here",
    ]
    incomplete_code_samples = [
        "SecurityEvent |",
        "SecurityEvent\n| where EventID == 4625 and",
        "print (1",
        "print 'abc",
        "let x = 1",
    ]
    invalid_code_samples = [
        "print 1)",
        "%ec$ho hi",
    ]

    code_page_something = "%echo?"

    code_generate_error = "SigninLogs | where NoSuchColumn == 1"

    code_execute_result = [
        {"code": "print x=1", "result": "1"},
        {"code": "print s=strcat('hunt', 'ing')", "result": "hunting"},
        {"code": "SigninLogs | take 3 | count", "result": "3"},
        {"code": "print x=1", "mime": "text/html"},
        {"code": "%lsmagic", "mime": "text/plain"},
    ]
    code_history_pattern = "SigninLogs | take*"
    supported_history_operations = ("tail", "range", "search")

    code_display_data = [
        {"code": "%%html\n<b>hunting</b>", "mime": "text/html"},
        {"code": "%%markdown\n# Hunt notes", "mime": "text/markdown"},
    ]

    code_inspect_sample = "print strlen"

    code_clear_output = "%echo soon gone\n%clear"


if __name__ == "__main__":
    unittest.main()
