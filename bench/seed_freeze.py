# A desktop window whose button runs the CPU task on the GUI's own thread: until the sum is done,
# the window cannot repaint or react. The fix is the same everywhere: run it on another thread or process.
import tkinter as tk


def cpu_bound_task(n):
    return sum(i * i for i in range(n))


window = tk.Tk()
label = tk.Label(window, text="ready")
label.pack()
tk.Button(window, text="Compute", command=lambda: label.config(text=cpu_bound_task(30_000_000))).pack()
window.mainloop()
