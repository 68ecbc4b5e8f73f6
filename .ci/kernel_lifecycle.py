"""Kernel lifecycle through jupyter_client: interrupt by message, restart
(shutdown_request with restart), shutdown. Exits non-zero on failure."""

import sys

from jupyter_client.manager import start_new_kernel


def run(kc, code):
    reply = kc.execute_interactive(code, timeout=20, output_hook=lambda msg: None)
    return reply["content"]


def main():
    km, kc = start_new_kernel(kernel_name="huntbook")
    try:
        if km.kernel_spec.interrupt_mode != "message":
            sys.exit("kernelspec interrupt_mode is not 'message'")
        km.interrupt_kernel()  # an interrupt_request on control while idle
        first = run(kc, "%echo after interrupt")
        if first["status"] != "ok":
            sys.exit(f"execute after interrupt: {first}")
        pid = km.provisioner.process.pid
        km.restart_kernel(now=False)  # shutdown_request(restart=True), then a new process
        if km.provisioner.process.pid == pid:
            sys.exit("restart did not start a new kernel process")
        kc.wait_for_ready(timeout=20)
        again = run(kc, "%echo restarted")
        if again["status"] != "ok" or again["execution_count"] != 1:
            sys.exit(f"execute after restart: {again}")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    if km.is_alive():
        sys.exit("kernel still alive after shutdown")
    print("lifecycle: interrupt, restart and shutdown ok")


if __name__ == "__main__":
    main()
