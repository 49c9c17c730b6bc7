from aicheck.cli import main

main()
