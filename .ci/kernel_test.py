"""jupyter_kernel_test run against the installed huntbook kernel.

Every sample attribute is set so that no test is skipped; .ci/e2e-kernel.sh
fails the run if any is. Until the KQL engine is wired into the kernel the
samples use magics, which need no engine.
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

    code_generate_error = "%nosuchmagic"

    code_execute_result = [
        {"code": "%lsmagic", "mime": "text/plain"},
    ]
    code_history_pattern = "%lsm*"
    supported_history_operations = ("tail", "range", "search")

    code_display_data = [
        {"code": "%%html\n<b>hunting</b>", "mime": "text/html"},
        {"code": "%%markdown\n# Hunt notes", "mime": "text/markdown"},
    ]

    code_inspect_sample = "%echo"

    code_clear_output = "%echo soon gone\n%clear"


if __name__ == "__main__":
    unittest.main()
