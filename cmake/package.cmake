# package.cmake - the Debian package: `cpack -G DEB` in the build tree makes
# dcmguard_<version>_amd64.deb. Depends come from the shared libraries the
# files link (dpkg-shlibdeps) plus what is only opened or run: the font of the
# placeholder's notice, DCMTK's storescu (the storescp hook), Orthanc is only
# suggested. Maintainer scripts: packaging/debian/ (why: docs/install.md).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME dcmguard)
set(CPACK_PACKAGE_VENDOR "dcmguard")
set(CPACK_PACKAGE_CONTACT "dcmguard maintainers <dcmguard@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "protects DICOM images on their way to an archive")
set(CPACK_PACKAGE_DESCRIPTION
    "dcmguard re-encodes the pixel data of DICOM instances losslessly as JPEG-LS\n\
tiles encrypted with AES-256-CBC and HMAC-SHA256, de-identifies the header\n\
(PS3.15 Annex E) and keeps the original patient values under one-time pads\n\
in a key store; key holders get the original file back bit for bit.\n\
.\n\
This package holds the dcmguard command, its library and header, a hook for\n\
DCMTK's storescp and an Orthanc plugin (installed, not enabled).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # dcmguard_<version>_amd64.deb
set(CPACK_DEBIAN_PACKAGE_RELEASE "")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.org/dcmguard")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "dcmtk, fonts-dejavu-core")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "orthanc (>= 1.10), orthanc-dicomweb")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm ${PROJECT_SOURCE_DIR}/packaging/debian/triggers)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# /usr/share/doc/dcmguard/copyright and changelog.gz, as Debian policy wants.
configure_file(packaging/debian/changelog ${CMAKE_BINARY_DIR}/packaging/changelog COPYONLY)
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/packaging/changelog.gz
                   COMMAND gzip -9nc ${PROJECT_SOURCE_DIR}/packaging/debian/changelog >
                           ${CMAKE_BINARY_DIR}/packaging/changelog.gz
                   DEPENDS packaging/debian/changelog)
add_custom_target(package_changelog ALL DEPENDS ${CMAKE_BINARY_DIR}/packaging/changelog.gz)
install(FILES packaging/debian/copyright ${CMAKE_BINARY_DIR}/packaging/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/dcmguard)
include(CPack)
