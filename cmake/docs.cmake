# Man pages and shell completions, generated from the CLI definitions by pktloss_docgen (the same
# make_app() main() parses with) plus the prose in docs/man/*.md; and what `make install` puts where.
add_executable(pktloss_docgen tools/pktloss_docgen.cpp)
target_link_libraries(pktloss_docgen PRIVATE pktloss_core)

file(GLOB PKTLOSS_MAN_PROSE CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/docs/man/*.md)
set(PKTLOSS_DOC_DIR ${CMAKE_BINARY_DIR}/doc)
add_custom_command(OUTPUT ${PKTLOSS_DOC_DIR}/stamp
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${PKTLOSS_DOC_DIR}/man
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PKTLOSS_DOC_DIR}/man
  COMMAND pktloss_docgen --man ${PKTLOSS_DOC_DIR}/man --prose ${CMAKE_SOURCE_DIR}/docs/man
          --bash ${PKTLOSS_DOC_DIR}/pktloss.bash --zsh ${PKTLOSS_DOC_DIR}/_pktloss
  COMMAND ${CMAKE_COMMAND} -E touch ${PKTLOSS_DOC_DIR}/stamp
  DEPENDS pktloss_docgen ${PKTLOSS_MAN_PROSE}
  COMMENT "Generating man pages and shell completions")
add_custom_target(pktloss_docs ALL DEPENDS ${PKTLOSS_DOC_DIR}/stamp)

include(GNUInstallDirs)
# sbin: every subcommand needs root (or CAP_NET_ADMIN, CAP_BPF, CAP_PERFMON, CAP_NET_RAW).
install(TARGETS pktloss RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(DIRECTORY ${PKTLOSS_DOC_DIR}/man/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man8
  FILES_MATCHING PATTERN "*.8")
install(FILES ${PKTLOSS_DOC_DIR}/pktloss.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME pktloss)
install(FILES ${PKTLOSS_DOC_DIR}/_pktloss DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)

# The man pages name every option --help names (rendered by man(1), compared per subcommand).
add_test(NAME man_pages_cover_help
  COMMAND ${CMAKE_SOURCE_DIR}/tests/package/man_covers_help.sh $<TARGET_FILE:pktloss> ${PKTLOSS_DOC_DIR}/man)
set_tests_properties(man_pages_cover_help PROPERTIES LABELS unit)

# The zsh completion in a real interactive zsh under tmux: subcommands, options, netns,
# interfaces and files complete on Tab (skipped, 77, without zsh or tmux).
add_test(NAME zsh_completion_in_zsh
  COMMAND ${CMAKE_SOURCE_DIR}/tests/doc/zsh_completion.sh ${PKTLOSS_DOC_DIR}/_pktloss)
set_tests_properties(zsh_completion_in_zsh PROPERTIES LABELS integration SKIP_RETURN_CODE 77
  TIMEOUT 120)
