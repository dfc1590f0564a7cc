from lettermine.cli import main

main()
